package tenshot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.Metric;
import tenshot.scoring.MetricStatus;
import tenshot.scoring.ModelDirectory;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.StyleScore;
import tenshot.scoring.submission.LayoutProblem;
import tenshot.scoring.submission.ReferenceDataset;
import tenshot.scoring.submission.SubmissionArchive;
import tenshot.scoring.submission.SubmissionCheck;

/** {@code score}: a submission folder or zip ({@code NN/{Prompt}.png}) against a reference dataset. */
@Command(name = "score", sortOptions = false,
        description = "score a submission with the Jittor 2024 metrics (hist always; models from --models)")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--dataset", required = true, paramLabel = "DIR",
            description = "reference dataset: NN/images/*.png and NN/prompt.json per style")
    Path dataset;

    @Option(names = "--submission", required = true, paramLabel = "DIR|ZIP",
            description = "folder (or zip) with NN/{Prompt}.png for each style and prompt")
    Path submission;

    @Option(names = "--models", paramLabel = "DIR", description = "metric models (docs/scoring.md); without it only hist is computed")
    Path models;

    @Option(names = "--mode", paramLabel = "official|corrected", defaultValue = "official", description = "scoring mode (${DEFAULT-VALUE})")
    ScoringMode mode;

    @Option(names = "--device", paramLabel = "cpu|cuda", defaultValue = "cpu", description = "where the metric models run (${DEFAULT-VALUE})")
    EngineDevice device;

    @Option(names = "--styles", split = ",", paramLabel = "ID", description = "score only these styles, e.g. 00,01 (default: all styles of the dataset)")
    List<String> styles;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "0", description = "required image size (default: any, but the same for all images)")
    int size;

    @Option(names = "--json", paramLabel = "FILE", description = "write the scorecard as JSON")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "write the scorecard as CSV")
    Path csv;

    @Override
    public Integer call() throws Exception {
        ReferenceDataset reference = ReferenceDataset.open(dataset);
        if (styles != null) {
            List<ReferenceDataset.Style> chosen = new ArrayList<>();
            for (String id : styles) chosen.add(reference.style(id.trim()));
            reference = new ReferenceDataset(reference.root(), chosen);
        }
        Path folder = submission;
        if (Files.isRegularFile(folder) && folder.toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            folder = SubmissionArchive.extract(folder, Files.createTempDirectory("tenshot-submission-"), 4L << 30);
        }
        SubmissionCheck check = SubmissionCheck.run(folder, reference, size, size, mode);
        for (LayoutProblem p : check.problems()) System.out.println("layout: " + p.file() + ": " + p.message());
        if (check.scorable().isEmpty()) throw new IllegalArgumentException("nothing to score in " + folder);

        Scorecard card;
        try (ScoringModels loaded = models != null ? ModelDirectory.load(models, device)
                : ScoringModels.none("model not installed: no --models directory given")) {
            card = new Scorer(loaded, mode).score(check.scorable());
        }
        print(card);
        if (json != null) Files.writeString(json, ScorecardExport.toJson(card));
        if (csv != null) Files.writeString(csv, ScorecardExport.toCsv(card));
        return 0;
    }

    private static void print(Scorecard card) {
        System.out.println("mode: " + card.mode().label());
        System.out.printf(Locale.ROOT, "%-10s %-8s %12s  %s%n", "metric", "weight", "value", "note");
        for (MetricStatus s : card.metrics()) {
            Double v = card.values().get(s.metric());
            System.out.printf(Locale.ROOT, "%-10s %-8s %12s  %s%n", s.metric().label(), s.metric().weight(),
                    v == null ? "-" : String.format(Locale.ROOT, "%.6f", v), s.computed() ? s.metric().role() : s.reason());
        }
        for (StyleScore st : card.styles()) {
            StringBuilder line = new StringBuilder("style " + st.style() + " (" + st.generated() + " images):");
            for (Metric m : Metric.values()) {
                Double v = st.values().get(m);
                if (v != null) line.append(String.format(Locale.ROOT, " %s=%.4f", m.key(), v));
            }
            System.out.println(line);
        }
        System.out.println(card.finalScore() == null ? card.finalNote()
                : String.format(Locale.ROOT, "final: %.6f", card.finalScore()));
    }
}

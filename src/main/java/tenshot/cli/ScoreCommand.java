package tenshot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
final class ScoreCommand implements Cli.Command {

    private static final Set<String> VALUED = Set.of("dataset", "submission", "models", "mode", "device", "json", "csv",
            "size", "styles");

    static final String USAGE = """
            usage: score --dataset DIR --submission DIR|ZIP [options]
              --dataset DIR        reference dataset: NN/images/*.png and NN/prompt.json per style
              --submission PATH    folder (or zip) with NN/{Prompt}.png for each style and prompt
              --models DIR         metric models (docs/scoring.md); without it only hist is computed
              --mode official|corrected (official)   --device cpu|cuda (cpu)
              --styles 00,01       score only these styles (default: all styles of the dataset)
              --size PX            required image size (default: any, but the same for all images)
              --json FILE  --csv FILE   write the scorecard
            """;

    @Override
    public String summary() {
        return "score a submission with the Jittor 2024 metrics (hist always; models from --models)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.println(USAGE);
            return 2;
        }
        CommandOptions o = CommandOptions.parse(args, VALUED, Set.of());
        ReferenceDataset dataset = ReferenceDataset.open(o.path("dataset"));
        if (o.has("styles")) {
            List<ReferenceDataset.Style> chosen = new ArrayList<>();
            for (String id : o.required("styles").split(",")) chosen.add(dataset.style(id.trim()));
            dataset = new ReferenceDataset(dataset.root(), chosen);
        }
        Path submission = o.path("submission");
        if (Files.isRegularFile(submission) && submission.toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            submission = SubmissionArchive.extract(submission, Files.createTempDirectory("tenshot-submission-"), 4L << 30);
        }
        int size = o.integer("size", 0);
        SubmissionCheck check = SubmissionCheck.run(submission, dataset, size, size);
        for (LayoutProblem p : check.problems()) System.out.println("layout: " + p.file() + ": " + p.message());
        if (check.scorable().isEmpty()) throw new IllegalArgumentException("nothing to score in " + submission);

        ScoringMode mode = ScoringMode.fromKey(o.string("mode", "official"));
        EngineDevice device = EngineDevice.parse(o.string("device", "cpu"));
        Scorecard card;
        try (ScoringModels models = o.has("models") ? ModelDirectory.load(o.path("models"), device)
                : ScoringModels.none("model not installed: no --models directory given")) {
            card = new Scorer(models, mode).score(check.scorable());
        }
        print(card);
        if (o.has("json")) Files.writeString(o.path("json"), ScorecardExport.toJson(card));
        if (o.has("csv")) Files.writeString(o.path("csv"), ScorecardExport.toCsv(card));
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

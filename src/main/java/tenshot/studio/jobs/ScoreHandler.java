package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.diffusion.StepReport;
import tenshot.scoring.ModelDirectory;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.StyleSet;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;

/**
 * Scores a run's generations against its style images with the challenge metrics (official mode) and
 * stores the scorecard as JSON. Metrics whose model is not installed under
 * {@code tenshot.scoring.models-dir} are reported as missing; the colour histogram needs no model.
 */
@ApplicationScoped
public class ScoreHandler implements JobHandler {

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "tenshot.scoring.models-dir")
    Optional<Path> metricsDir;

    @Override
    public String kind() {
        return JobKinds.SCORE;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        RunSpec spec = context.payload(RunSpec.class);
        Path references = Files.createDirectories(context.scratchDir().resolve("references"));
        Path generated = Files.createDirectories(context.scratchDir().resolve("generated"));
        List<Path> referenceFiles = new ArrayList<>();
        for (RunSpec.StyleImageRef image : spec.images()) {
            referenceFiles.add(copy(image.key(), references.resolve(image.objectName() + ".png")));
        }
        List<Path> generatedFiles = new ArrayList<>();
        for (String prompt : spec.prompts()) generatedFiles.add(copy(spec.imageKey(prompt), generated.resolve(prompt + ".png")));
        context.progress().onStep(StepReport.of("scoring", 0, 1, 0));
        long began = System.nanoTime();
        try (ScoringModels models = metricsDir.isPresent()
                ? ModelDirectory.load(metricsDir.get(), context.device())
                : ScoringModels.none("no metric models installed (set tenshot.scoring.models-dir)")) {
            Scorecard card = new Scorer(models, ScoringMode.OFFICIAL)
                    .score(List.of(new StyleSet(spec.styleId(), referenceFiles, generatedFiles)));
            store.put(spec.scorecardKey(), ScorecardExport.toJson(card).getBytes(StandardCharsets.UTF_8));
        }
        context.progress().onStep(StepReport.of("scoring", 1, 1, (System.nanoTime() - began) / 1e9));
        return Map.of("scorecard", spec.scorecardKey());
    }

    private Path copy(String key, Path target) throws java.io.IOException {
        try (InputStream in = store.open(key)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}

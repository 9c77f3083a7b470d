package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.StepReport;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoredStyle;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;

/**
 * Scores an uploaded submission (an {@link EvaluationSpec}) on a worker's engine thread with every
 * metric whose model is installed, like a run's SCORE job, and stores the scorecard under
 * {@code evaluations/{id}/}.
 */
@ApplicationScoped
public class EvaluateHandler implements JobHandler {

    /** The job kind; not part of a run's chain. */
    public static final String KIND = "EVALUATE";

    @Inject
    ScorecardWriter writer;

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        EvaluationSpec spec = context.payload(EvaluationSpec.class);
        List<ScoredStyle> styles = new ArrayList<>();
        for (EvaluationSpec.Style style : spec.styles()) {
            Path dir = context.scratchDir().resolve(style.styleId());
            List<Path> referenceFiles = writer.stageReferences(style.references(), dir.resolve("references"));
            Path generated = Files.createDirectories(dir.resolve("generated"));
            List<Path> generatedFiles = new ArrayList<>();
            for (EvaluationSpec.GeneratedImage image : style.generated()) {
                generatedFiles.add(writer.stage(image.key(), generated.resolve(Path.of(image.file()).getFileName().toString())));
            }
            styles.add(new ScoredStyle(style.styleId(), referenceFiles, generatedFiles));
        }
        context.progress().onStep(StepReport.of("scoring", 0, 1, 0));
        long began = System.nanoTime();
        ScorecardWriter.Outcome outcome = writer.write(spec.artifacts(),
                styles, ScoringMode.of(spec.scoringMode()), context.device(), context.models());
        context.progress().onStep(StepReport.of("scoring", 1, 1, (System.nanoTime() - began) / 1e9));
        return Map.of("scorecard", spec.artifacts().scorecardKey(), "recomputed", outcome.recomputed());
    }
}

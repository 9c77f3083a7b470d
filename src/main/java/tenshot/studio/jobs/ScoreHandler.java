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
 * Scores a run's generations against its style images with the challenge metrics (official mode) and
 * stores the scorecard as JSON, with the FID features that let a multi-run submission pool its FID.
 * Metrics whose model is not installed under {@code tenshot.scoring.models-dir} are reported as
 * missing; the colour histogram needs no model. A card whose inputs did not change is not recomputed.
 */
@ApplicationScoped
public class ScoreHandler implements JobHandler {

    @Inject
    ScorecardWriter writer;

    @Override
    public String kind() {
        return JobKinds.SCORE;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        if (BoardSpec.isBoard(context.payload())) return runBoard(context, context.payload(BoardSpec.class));
        RunSpec spec = context.payload(RunSpec.class);
        List<Path> referenceFiles = writer.stageReferences(spec.images(), context.scratchDir().resolve("references"));
        Path generated = Files.createDirectories(context.scratchDir().resolve("generated"));
        List<Path> generatedFiles = new ArrayList<>();
        for (String prompt : spec.prompts()) generatedFiles.add(writer.stage(spec.imageKey(prompt), generated.resolve(prompt + ".png")));
        context.progress().onStep(StepReport.of("scoring", 0, 1, 0));
        long began = System.nanoTime();
        ScorecardWriter.Outcome outcome = writer.write(ScoreArtifacts.ofRun(spec.runId()),
                List.of(new ScoredStyle(spec.styleId(), referenceFiles, generatedFiles)), ScoringMode.of(spec.scoringMode()), context.device(), context.models());
        context.progress().onStep(StepReport.of("scoring", 1, 1, (System.nanoTime() - began) / 1e9));
        return Map.of("scorecard", spec.scorecardKey(), "recomputed", outcome.recomputed(), "fingerprint", outcome.fingerprint());
    }

    /** One scorecard for the whole board: every style against its own style images, FID pooled as a submission's. */
    private Object runBoard(JobContext context, BoardSpec spec) throws Exception {
        List<ScoredStyle> styles = new ArrayList<>();
        for (BoardSpec.Style style : spec.styles()) {
            Path dir = context.scratchDir().resolve(style.styleId());
            List<Path> referenceFiles = writer.stageReferences(style.images(), dir.resolve("references"));
            Path generated = Files.createDirectories(dir.resolve("generated"));
            List<Path> generatedFiles = new ArrayList<>();
            for (String prompt : style.prompts()) {
                generatedFiles.add(writer.stage(spec.imageKey(style, prompt), generated.resolve(prompt + ".png")));
            }
            styles.add(new ScoredStyle(style.styleId(), referenceFiles, generatedFiles));
        }
        context.progress().onStep(StepReport.of("scoring", 0, 1, 0));
        long began = System.nanoTime();
        ScorecardWriter.Outcome outcome = writer.write(ScoreArtifacts.ofRun(spec.runId()), styles,
                ScoringMode.of(spec.scoringMode()), context.device(), context.models());
        context.progress().onStep(StepReport.of("scoring", 1, 1, (System.nanoTime() - began) / 1e9));
        return Map.of("scorecard", spec.scorecardKey(), "recomputed", outcome.recomputed(), "fingerprint", outcome.fingerprint());
    }
}

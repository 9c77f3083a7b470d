package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.train.DreamBoothTrainer;
import tenshot.diffusion.train.StableDiffusionTrainable;
import tenshot.diffusion.train.TrainingJob;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.diffusion.train.TrainingResult;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;
import tenshot.worker.JobProgress;

/**
 * Trains a run's LoRA (or, for a board run, every style's LoRA in shared UNet passes) with the DreamBooth
 * trainer and stores {@code pytorch_lora_weights.safetensors}. Checkpoints are written to the job's scratch
 * folder and mirrored to the artifact store ({@code runs/<id>/checkpoints/}, a board's per style under
 * {@code runs/<id>/styles/<style>/checkpoints/}), so the next attempt resumes from the latest one on any host.
 */
@ApplicationScoped
public class TrainHandler implements JobHandler {

    private static final int CHECKPOINTS_KEPT = 2;

    @Inject
    ArtifactStore store;

    @Inject
    EngineInputs inputs;

    @Override
    public String kind() {
        return JobKinds.TRAIN;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        if (BoardSpec.isBoard(context.payload())) return runBoard(context, context.payload(BoardSpec.class));
        RunSpec spec = context.payload(RunSpec.class);
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        Path modelDir = inputs.modelDir(spec.baseModel());
        Path work = context.scratchDir();
        Path styleDir = inputs.stageStyle(spec, work.resolve("style"));
        Path checkpoints = work.resolve("checkpoints");
        TrainingJob job = new TrainingJob(modelDir, spec.baseModel(), styleDir, spec.styleId(), recipe, work.resolve("out"),
                checkpoints, inputs.classImageDir(spec.baseModel()), context.device(), true);
        StoredCheckpoints stored = new StoredCheckpoints(store, spec.checkpointPrefix(), checkpoints, CHECKPOINTS_KEPT);
        stored.restoreLatest();
        context.saveCheckpoint(stored.prefix());
        TrainingResult result;
        try {
            result = new DreamBoothTrainer(job, j -> StableDiffusionTrainable.load(j.modelDir(), j.device()))
                    .run(stored.uploading(context.progress()));
        } catch (StepListener.Cancelled cancelled) {
            // the trainer saved a checkpoint on its way out
            stored.uploadLatest();
            throw cancelled;
        }
        store.put(spec.loraKey(), result.loraFile());
        stored.deleteAll();
        return Map.of("lora", spec.loraKey(), "steps", result.steps(), "resumedFrom", result.resumedFrom(),
                "finalLoss", result.finalLoss());
    }

    /**
     * Trains every style of a board in the same UNet passes and stores each style's LoRA. Each style's
     * checkpoints are mirrored to the store like a run's, uploaded once every style of a pass has saved, so
     * a retried board resumes every style from its own latest checkpoint on any host; they are deleted once
     * every LoRA is stored.
     */
    private Object runBoard(JobContext context, BoardSpec spec) throws Exception {
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        Path modelDir = inputs.modelDir(spec.baseModel());
        Path work = context.scratchDir();
        List<TrainingJob> jobs = new ArrayList<>();
        List<StoredCheckpoints> stored = new ArrayList<>();
        for (BoardSpec.Style style : spec.styles()) {
            Path styleDir = inputs.stageStyle(style.images(), style.prompts(), work.resolve("styles").resolve(style.styleId()));
            Path checkpoints = work.resolve("checkpoints").resolve(style.styleId());
            StoredCheckpoints styleCheckpoints = new StoredCheckpoints(store, spec.checkpointPrefix(style), checkpoints, CHECKPOINTS_KEPT);
            styleCheckpoints.restoreLatest();
            stored.add(styleCheckpoints);
            jobs.add(new TrainingJob(modelDir, spec.baseModel(), styleDir, style.styleId(), recipe,
                    work.resolve("out").resolve(style.styleId()), checkpoints,
                    inputs.classImageDir(spec.baseModel()), context.device(), true));
        }
        // informational: each style's checkpoints are under its own folder below this prefix
        context.saveCheckpoint(RunSpec.prefix(spec.runId()) + "styles/");
        // BoardProgress passes a report on once every style of the pass has saved and reported
        JobProgress listener = StoredCheckpoints.uploading(stored, context.progress());
        List<TrainingResult> results;
        try {
            results = new DreamBoothTrainer(jobs, j -> StableDiffusionTrainable.load(j.modelDir(), j.device()))
                    .runBoard(new BoardProgress(spec.styles().stream().map(BoardSpec.Style::styleId).toList(), listener));
        } catch (StepListener.Cancelled cancelled) {
            // the trainer saved every style's checkpoint on its way out
            for (StoredCheckpoints styleCheckpoints : stored) styleCheckpoints.uploadLatest();
            throw cancelled;
        }
        List<Map<String, Object>> styles = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            BoardSpec.Style style = spec.styles().get(i);
            TrainingResult result = results.get(i);
            store.put(spec.loraKey(style), result.loraFile());
            styles.add(Map.of("styleId", style.styleId(), "lora", spec.loraKey(style), "steps", result.steps(),
                    "resumedFrom", result.resumedFrom(), "finalLoss", result.finalLoss()));
        }
        for (StoredCheckpoints styleCheckpoints : stored) styleCheckpoints.deleteAll();
        return Map.of("styles", styles);
    }
}

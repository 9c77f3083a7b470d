package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
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

/**
 * Trains a run's LoRA with the DreamBooth trainer and stores {@code pytorch_lora_weights.safetensors}.
 * Checkpoints are written to the job's scratch folder and mirrored to the artifact store
 * ({@code runs/<id>/checkpoints/}), so the next attempt resumes from the latest one on any host.
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
}

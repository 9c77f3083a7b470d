package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
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
 * Checkpoints go to the job's scratch folder (under the data dir by default), so the next attempt resumes
 * from the latest one, on any host that shares the data dir.
 */
@ApplicationScoped
public class TrainHandler implements JobHandler {

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
        context.saveCheckpoint(checkpoints.toString());
        TrainingResult result = new DreamBoothTrainer(job, j -> StableDiffusionTrainable.load(j.modelDir(), j.device()))
                .run(context.progress());
        store.put(spec.loraKey(), result.loraFile());
        return Map.of("lora", spec.loraKey(), "steps", result.steps(), "resumedFrom", result.resumedFrom(),
                "finalLoss", result.finalLoss());
    }
}

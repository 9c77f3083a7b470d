package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
 * Trains a run's LoRA (or, for a board run, every style's LoRA in shared UNet passes) with the DreamBooth
 * trainer and stores {@code pytorch_lora_weights.safetensors}. A run's checkpoints are written to the job's
 * scratch folder and mirrored to the artifact store ({@code runs/<id>/checkpoints/}), so the next attempt
 * resumes from the latest one on any host; a board's stay in the data dir (see {@link #runBoard}).
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
     * Trains every style of a board in the same UNet passes and stores each style's LoRA. Checkpoints go
     * to the shared data directory, one folder per style, so a retried board resumes every style from
     * its own latest checkpoint; they are deleted once every LoRA is stored.
     */
    private Object runBoard(JobContext context, BoardSpec spec) throws Exception {
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        Path modelDir = inputs.modelDir(spec.baseModel());
        Path work = context.scratchDir();
        Path checkpoints = inputs.boardCheckpointDir(context.jobId());
        List<TrainingJob> jobs = new ArrayList<>();
        for (BoardSpec.Style style : spec.styles()) {
            Path styleDir = inputs.stageStyle(style.images(), style.prompts(), work.resolve("styles").resolve(style.styleId()));
            jobs.add(new TrainingJob(modelDir, spec.baseModel(), styleDir, style.styleId(), recipe,
                    work.resolve("out").resolve(style.styleId()), checkpoints.resolve(style.styleId()),
                    inputs.classImageDir(spec.baseModel()), context.device(), true));
        }
        context.saveCheckpoint(checkpoints.toString());
        List<TrainingResult> results = new DreamBoothTrainer(jobs, j -> StableDiffusionTrainable.load(j.modelDir(), j.device()))
                .runBoard(new BoardProgress(spec.styles().stream().map(BoardSpec.Style::styleId).toList(), context.progress()));
        List<Map<String, Object>> styles = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            BoardSpec.Style style = spec.styles().get(i);
            TrainingResult result = results.get(i);
            store.put(spec.loraKey(style), result.loraFile());
            styles.add(Map.of("styleId", style.styleId(), "lora", spec.loraKey(style), "steps", result.steps(),
                    "resumedFrom", result.resumedFrom(), "finalLoss", result.finalLoss()));
        }
        deleteTree(checkpoints);
        return Map.of("styles", styles);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.ClassImageCache;
import tenshot.diffusion.train.DreamBoothTrainer;
import tenshot.diffusion.train.StableDiffusionTrainable;
import tenshot.diffusion.train.StyleFolder;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;

/**
 * Generates the class images of prior preservation into the shared class-image cache, under the same
 * keys the trainer looks up (model id, class prompt, seed, steps, size, guidance, scheduler). Identical
 * runs share this job through its dedupe key; the trainer then finds every image cached.
 */
@ApplicationScoped
public class PriorHandler implements JobHandler {

    @Inject
    EngineInputs inputs;

    @Override
    public String kind() {
        return JobKinds.PRIOR;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        RunSpec spec = context.payload(RunSpec.class);
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        Path modelDir = inputs.modelDir(spec.baseModel());
        StyleFolder style = StyleFolder.open(inputs.stageStyle(spec, context.scratchDir().resolve("style")));
        ClassImageCache cache = new ClassImageCache(inputs.classImageDir(spec.baseModel()));
        int[] generated = {0};
        int total;
        try (StableDiffusionTrainable model = StableDiffusionTrainable.load(modelDir, context.device())) {
            int size = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
            List<ClassImageCache.Key> keys = DreamBoothTrainer.classImageKeys(recipe, style, spec.baseModel(), size);
            total = keys.size();
            long[] began = {System.nanoTime()};
            cache.getOrGenerateAll(keys, DreamBoothTrainer.classImageBatch(model), batch -> {
                generated[0] += batch.size();
                return model.generate(batch.stream().map(ClassImageCache.Key::prompt).toList(),
                        batch.stream().mapToLong(ClassImageCache.Key::seed).toArray(), batch.get(0).steps(),
                        batch.get(0).guidanceScale(), batch.get(0).size(), step -> context.checkCancelled());
            }, done -> {
                context.progress().onStep(StepReport.of("class-images", done, total, (System.nanoTime() - began[0]) / 1e9));
                began[0] = System.nanoTime();
            });
        }
        return Map.of("classImages", total, "generated", generated[0]);
    }
}

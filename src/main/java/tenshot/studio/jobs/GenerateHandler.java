package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;
import tenshot.worker.PermanentJobFailure;

/**
 * Generates every prompt of a run with its trained LoRA, one image per prompt ({@code {Prompt}.png}),
 * from noise or img2img from the average style image, as the recipe's generation settings say. Prompts
 * run in batches ({@code tenshot.generate.batch-size} images per denoising loop on a GPU, one on the
 * CPU); each image keeps its own seed, so batching changes no image beyond kernel rounding. An attempt
 * after a crash skips the prompts whose image is already stored.
 */
@ApplicationScoped
public class GenerateHandler implements JobHandler {

    @Inject
    ArtifactStore store;

    @Inject
    EngineInputs inputs;

    @ConfigProperty(name = "tenshot.generate.batch-size", defaultValue = "8")
    int gpuBatchSize;

    @Override
    public String kind() {
        return JobKinds.GENERATE;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        RunSpec spec = context.payload(RunSpec.class);
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        TrainingRecipe.Generation settings = recipe.generation();
        Path modelDir = inputs.modelDir(spec.baseModel());
        StableDiffusion model = context.models().get("sd:" + modelDir + ":" + context.device(), StableDiffusion.class,
                () -> StableDiffusionLoader.load(modelDir, context.device()));
        if (!store.exists(spec.loraKey())) throw new PermanentJobFailure("the run has no trained LoRA (" + spec.loraKey() + ")");
        Path lora = context.scratchDir().resolve("pytorch_lora_weights.safetensors");
        try (InputStream in = store.open(spec.loraKey())) {
            Files.copy(in, lora, StandardCopyOption.REPLACE_EXISTING);
        }
        int size = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
        BufferedImage start = "average-style-image".equals(settings.start())
                ? Images.average(inputs.styleImages(spec), size, size) : null;
        Scheduler.Kind scheduler = Scheduler.Kind.parse(settings.scheduler());
        PromptTemplate template = new PromptTemplate(settings.prompt());
        List<String> prompts = spec.prompts();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) if (!store.exists(spec.imageKey(prompts.get(i)))) missing.add(i);
        int batchSize = context.device().isGpu() ? Math.max(1, gpuBatchSize) : 1;
        int done = prompts.size() - missing.size();
        try (LoraSet adapters = StableDiffusionLoader.applyLora(model, lora, 1.0)) {
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            for (int from = 0; from < missing.size(); from += batchSize) {
                List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
                long began = System.nanoTime();
                List<String> texts = new ArrayList<>();
                long[] seeds = new long[batch.size()];
                for (int b = 0; b < batch.size(); b++) {
                    texts.add(template.render(prompts.get(batch.get(b)), spec.styleId()));
                    seeds[b] = RunSpec.imageSeed(recipe.seed(), batch.get(b));
                }
                GenerationRequest.Builder request = GenerationRequest.builder(texts).seeds(seeds).size(size, size)
                        .steps(settings.steps()).guidanceScale(settings.guidanceScale()).scheduler(scheduler);
                if (start != null) request.initImage(start, settings.strength());
                List<BufferedImage> images = pipeline.generate(request.build(), step -> context.checkCancelled());
                for (int b = 0; b < batch.size(); b++) {
                    try (ArtifactStore.PendingWrite write = store.begin(spec.imageKey(prompts.get(batch.get(b))))) {
                        ImageIO.write(images.get(b), "png", write.stream());
                        write.commit();
                    }
                }
                done += batch.size();
                double seconds = (System.nanoTime() - began) / 1e9 / batch.size();
                context.progress().onStep(new StepReport("generating", done, prompts.size(), Double.NaN, Double.NaN, seconds,
                        images.get(images.size() - 1)));
            }
        }
        return Map.of("images", prompts.size(), "generatedThisAttempt", missing.size(), "size", size);
    }
}

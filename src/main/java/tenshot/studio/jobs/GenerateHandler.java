package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
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
 * from noise or img2img from the average style image, as the recipe's generation settings say. An
 * attempt after a crash skips the prompts whose image is already stored.
 */
@ApplicationScoped
public class GenerateHandler implements JobHandler {

    @Inject
    ArtifactStore store;

    @Inject
    EngineInputs inputs;

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
        int made = 0;
        try (LoraSet adapters = StableDiffusionLoader.applyLora(model, lora, 1.0)) {
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            for (int i = 0; i < prompts.size(); i++) {
                String prompt = prompts.get(i);
                String key = spec.imageKey(prompt);
                if (store.exists(key)) continue;
                long began = System.nanoTime();
                GenerationRequest.Builder request = GenerationRequest.builder(List.of(template.render(prompt, spec.styleId())))
                        .seeds(new long[] {RunSpec.imageSeed(recipe.seed(), i)}).size(size, size).steps(settings.steps())
                        .guidanceScale(settings.guidanceScale()).scheduler(scheduler);
                if (start != null) request.initImage(start, settings.strength());
                BufferedImage image = pipeline.generate(request.build(), step -> context.checkCancelled()).get(0);
                try (ArtifactStore.PendingWrite write = store.begin(key)) {
                    ImageIO.write(image, "png", write.stream());
                    write.commit();
                }
                made++;
                double seconds = (System.nanoTime() - began) / 1e9;
                context.progress().onStep(new StepReport("generating", i + 1, prompts.size(), Double.NaN, Double.NaN, seconds, image));
            }
        }
        return Map.of("images", prompts.size(), "generatedThisAttempt", made, "size", size);
    }
}

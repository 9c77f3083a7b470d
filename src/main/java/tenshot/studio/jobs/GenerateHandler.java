package tenshot.studio.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import java.util.Optional;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.guidance.StyleGuidance;
import tenshot.diffusion.guidance.StyleGuide;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.pipeline.BoardGenerator;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.styleid.StyleIdPipeline;
import tenshot.diffusion.styleid.StyleImageChoice;
import tenshot.diffusion.styleid.StyleInjection;
import tenshot.diffusion.styleid.StyleInversion;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.scoring.ModelDirectory;
import tenshot.scoring.models.ClipImageTower;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;
import tenshot.worker.PermanentJobFailure;

/**
 * Generates every prompt of a run with its trained LoRA (with the base model for a run without training), one
 * image per prompt ({@code {Prompt}.png}), from noise or img2img from the average style image, as the recipe's
 * generation settings say; with {@code generation.styleInjection}, those images are StyleID's content and the
 * stored image is StyleID's; with {@code generation.styleGuidance}, the last sampling steps are guided towards
 * the style images' CLIP image embedding (the tower under {@code tenshot.scoring.models-dir}). Prompts run in
 * batches ({@code tenshot.generate.batch-size} images per denoising loop on a GPU, one on the CPU); each image
 * keeps its own seed, so batching changes no image beyond kernel rounding. An attempt after a crash skips the prompts whose image is already stored.
 */
@ApplicationScoped
public class GenerateHandler implements JobHandler {

    @Inject
    ArtifactStore store;

    @Inject
    EngineInputs inputs;

    @ConfigProperty(name = "tenshot.generate.batch-size", defaultValue = "8")
    int gpuBatchSize;

    @ConfigProperty(name = "tenshot.scoring.models-dir")
    Optional<Path> metricsDir;

    @Override
    public String kind() {
        return JobKinds.GENERATE;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        if (BoardSpec.isBoard(context.payload())) return runBoard(context, context.payload(BoardSpec.class));
        RunSpec spec = context.payload(RunSpec.class);
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        TrainingRecipe.Generation settings = recipe.generation();
        Path modelDir = inputs.modelDir(spec.baseModel());
        StableDiffusion model = context.models().get("sd:" + modelDir + ":" + context.device(), StableDiffusion.class,
                () -> StableDiffusionLoader.load(modelDir, context.device()));
        Path lora = spec.trains() ? trainedLora(context, spec) : null;
        int size = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
        BufferedImage start = "average-style-image".equals(settings.start())
                ? Images.average(inputs.styleImages(spec), size, size) : null;
        Scheduler.Kind scheduler = Scheduler.Kind.parse(settings.scheduler());
        PromptTemplate template = new PromptTemplate(settings.prompt());
        PromptTemplate objectPhrase = spec.objectPhrase();
        List<String> prompts = spec.prompts();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) if (!store.exists(spec.imageKey(prompts.get(i)))) missing.add(i);
        int batchSize = context.device().isGpu() ? Math.max(1, gpuBatchSize) : 1;
        int done = prompts.size() - missing.size();
        StyleInjection injection = settings.styleInjection();
        try (NDManager contents = model.manager().newSubManager();
                // null resources (no guidance) are not closed
                ClipImageTower descriptor = settings.styleGuidance() == null || missing.isEmpty() ? null
                        : styleDescriptor(context);
                StyleGuide guide = descriptor == null ? null : styleGuide(model, descriptor, settings.styleGuidance(),
                        inputs.styleImages(spec))) {
            StyleContents styleContents = injection == null ? null : new StyleContents(inputs.styleImages(spec));
            // a run without training generates with the base model (a null resource is not closed)
            try (LoraSet adapters = lora == null ? null : StableDiffusionLoader.applyLora(model, lora, 1.0)) {
                DiffusionPipeline pipeline = new DiffusionPipeline(model, guide);
                for (int from = 0; from < missing.size(); from += batchSize) {
                    List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
                    long began = System.nanoTime();
                    List<String> texts = new ArrayList<>();
                    long[] seeds = new long[batch.size()];
                    for (int b = 0; b < batch.size(); b++) {
                        texts.add(template.render(prompts.get(batch.get(b)), spec.styleId(), objectPhrase));
                        seeds[b] = RunSpec.imageSeed(recipe.seed(), batch.get(b));
                    }
                    GenerationRequest.Builder request = GenerationRequest.builder(texts).seeds(seeds).size(size, size)
                            .steps(settings.steps()).guidanceScale(settings.guidanceScale()).scheduler(scheduler);
                    if (start != null) request.initImage(start, settings.strength());
                    if (injection != null) {
                        // StyleID runs on the base model, so every content latent is made before the adapters come off.
                        NDArray latents = pipeline.generateLatents(request.build(), step -> context.checkCancelled(), contents);
                        for (int b = 0; b < batch.size(); b++) {
                            styleContents.add(batch.get(b), latents.get(b + ":" + (b + 1)), spec.imageKey(prompts.get(batch.get(b))));
                        }
                        double seconds = (System.nanoTime() - began) / 1e9 / batch.size();
                        context.progress().onStep(StepReport.of("generating content", from + batch.size(), missing.size(), seconds));
                        continue;
                    }
                    List<BufferedImage> images = pipeline.generate(request.build(), step -> context.checkCancelled());
                    for (int b = 0; b < batch.size(); b++) storeImage(spec.imageKey(prompts.get(batch.get(b))), images.get(b));
                    done += batch.size();
                    double seconds = (System.nanoTime() - began) / 1e9 / batch.size();
                    context.progress().onStep(new StepReport("generating", done, prompts.size(), Double.NaN, Double.NaN, seconds,
                            images.get(images.size() - 1)));
                }
            }
            if (injection != null && !missing.isEmpty()) {
                injectStyle(context, model, injection, size, settings.steps(), List.of(styleContents), done, prompts.size());
            }
        }
        return Map.of("images", prompts.size(), "generatedThisAttempt", missing.size(), "size", size);
    }

    /**
     * Ψ of style guidance: the CLIP ViT-L/14 image tower of the scoring models directory, loaded for this job
     * (not cached, so it never evicts the base model this job holds).
     */
    private ClipImageTower styleDescriptor(JobContext context) throws Exception {
        if (metricsDir.isEmpty()) {
            throw new PermanentJobFailure("generation.styleGuidance needs the CLIP ViT-L/14 image tower: set"
                    + " tenshot.scoring.models-dir to the scoring models directory (with " + ModelDirectory.CLIP + "/)");
        }
        Path dir = metricsDir.get().resolve(ModelDirectory.CLIP);
        for (String file : List.of("config.json", "preprocessor_config.json")) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new PermanentJobFailure("generation.styleGuidance needs the CLIP ViT-L/14 image tower: " + dir.resolve(file)
                        + " is missing (tenshot.scoring.models-dir)");
            }
        }
        return ClipImageTower.load(dir, context.device());
    }

    private static StyleGuide styleGuide(StableDiffusion model, ClipImageTower descriptor, StyleGuidance settings,
            List<BufferedImage> styleImages) {
        try {
            return StyleGuide.toward(model, descriptor, settings, styleImages);
        } catch (IllegalArgumentException e) {
            throw new PermanentJobFailure(e.getMessage());
        }
    }

    /** The run's trained LoRA, copied to the job's scratch folder. */
    private Path trainedLora(JobContext context, RunSpec spec) throws Exception {
        if (!store.exists(spec.loraKey())) throw new PermanentJobFailure("the run has no trained LoRA (" + spec.loraKey() + ")");
        Path lora = context.scratchDir().resolve("pytorch_lora_weights.safetensors");
        try (InputStream in = store.open(spec.loraKey())) {
            Files.copy(in, lora, StandardCopyOption.REPLACE_EXISTING);
        }
        return lora;
    }

    /**
     * One style's StyleID inputs in a GENERATE job: its style images (in the style set's order) and, per image still
     * to make, the prompt's index in the style's prompt order, its content latent and the key its image goes to.
     */
    private record StyleContents(List<BufferedImage> styleImages, List<Integer> prompts, List<NDArray> latents, List<String> keys) {

        StyleContents(List<BufferedImage> styleImages) {
            this(styleImages, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void add(int prompt, NDArray latent, String key) {
            prompts.add(prompt);
            latents.add(latent);
            keys.add(key);
        }
    }

    /**
     * StyleID on each content latent of each style with the base model, the style image chosen among the style's
     * own as the recipe says; each stylised image is stored at its key. Each chosen style image is inverted once,
     * for all its prompts, and its recordings freed before the next.
     */
    private void injectStyle(JobContext context, StableDiffusion model, StyleInjection injection, int size, int steps,
            List<StyleContents> styles, int done, int total) throws Exception {
        StyleIdPipeline styleId;
        try {
            styleId = new StyleIdPipeline(new DiffusionPipeline(model), injection);
        } catch (IllegalArgumentException e) {
            throw new PermanentJobFailure(e.getMessage());
        }
        try (styleId) {
            for (StyleContents style : styles) {
                StyleImageChoice choice = StyleImageChoice.of(injection.styleImage(), style.styleImages(), size);
                Map<Integer, List<Integer>> byStyleImage = new TreeMap<>();
                for (int i = 0; i < style.prompts().size(); i++) {
                    byStyleImage.computeIfAbsent(choice.indexFor(style.prompts().get(i)), k -> new ArrayList<>()).add(i);
                }
                for (Map.Entry<Integer, List<Integer>> group : byStyleImage.entrySet()) {
                    context.checkCancelled();
                    try (StyleInversion inversion = styleId.invertStyle(choice.image(group.getKey()), size, size, steps)) {
                        for (int i : group.getValue()) {
                            context.checkCancelled();
                            long began = System.nanoTime();
                            BufferedImage image = styleId.transfer(style.latents().get(i), inversion);
                            storeImage(style.keys().get(i), image);
                            context.progress().onStep(new StepReport("injecting style", ++done, total, Double.NaN, Double.NaN,
                                    (System.nanoTime() - began) / 1e9, image));
                        }
                    }
                }
            }
        }
    }

    private void storeImage(String key, BufferedImage image) throws Exception {
        try (ArtifactStore.PendingWrite write = store.begin(key)) {
            ImageIO.write(image, "png", write.stream());
            write.commit();
        }
    }

    /**
     * Generates every prompt of every style of a board in shared denoising loops ({@link BoardGenerator}):
     * batches mix styles, each row with its style's LoRA and start image and the seed it would have in a
     * run of that style alone; with {@code generation.styleInjection} those are StyleID's contents, each style
     * stylised with its own style images. An attempt after a crash generates only the images not yet stored.
     */
    private Object runBoard(JobContext context, BoardSpec spec) throws Exception {
        TrainingRecipe recipe = TrainingRecipe.fromJson(spec.recipe());
        TrainingRecipe.Generation settings = recipe.generation();
        if (settings.styleGuidance() != null) {
            throw new PermanentJobFailure("a board run does not take generation.styleGuidance (its shared batches have no"
                    + " guidance); run the style sets one by one");
        }
        Path modelDir = inputs.modelDir(spec.baseModel());
        StableDiffusion model = context.models().get("sd:" + modelDir + ":" + context.device(), StableDiffusion.class,
                () -> StableDiffusionLoader.load(modelDir, context.device()));
        int size = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
        PromptTemplate template = new PromptTemplate(settings.prompt());
        List<BoardGenerator.Style> styles = new ArrayList<>();
        List<BoardSpec.Style> generated = new ArrayList<>();
        List<List<String>> missingPrompts = new ArrayList<>();
        List<List<Integer>> missingIndexes = new ArrayList<>();
        int total = 0;
        int done = 0;
        for (BoardSpec.Style style : spec.styles()) {
            total += style.prompts().size();
            List<String> texts = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            for (int i = 0; i < style.prompts().size(); i++) {
                String prompt = style.prompts().get(i);
                if (store.exists(spec.imageKey(style, prompt))) {
                    done++;
                    continue;
                }
                missing.add(prompt);
                indexes.add(i);
                texts.add(template.render(prompt, style.styleId(), RunSpec.objectPhrase(style.promptTemplate())));
                seeds.add(RunSpec.imageSeed(recipe.seed(), i));
            }
            if (missing.isEmpty()) continue;
            if (!store.exists(spec.loraKey(style))) {
                throw new PermanentJobFailure("style " + style.styleId() + " of the board has no trained LoRA (" + spec.loraKey(style) + ")");
            }
            Path lora = context.scratchDir().resolve("lora-" + style.styleId() + ".safetensors");
            try (InputStream in = store.open(spec.loraKey(style))) {
                Files.copy(in, lora, StandardCopyOption.REPLACE_EXISTING);
            }
            BufferedImage start = "average-style-image".equals(settings.start())
                    ? Images.average(inputs.styleImages(style.images()), size, size) : null;
            styles.add(new BoardGenerator.Style(lora, start, texts, seeds.stream().mapToLong(Long::longValue).toArray()));
            generated.add(style);
            missingPrompts.add(missing);
            missingIndexes.add(indexes);
        }
        int batchSize = context.device().isGpu() ? Math.max(1, gpuBatchSize) : 1;
        BoardGenerator.Settings sampling = new BoardGenerator.Settings(size, settings.steps(), settings.guidanceScale(),
                Scheduler.Kind.parse(settings.scheduler()), settings.strength(), batchSize);
        StyleInjection injection = settings.styleInjection();
        if (injection != null) {
            // as for one style: every style's content latents with its own adapter, then StyleID on the base model
            try (NDManager contents = model.manager().newSubManager()) {
                List<StyleContents> styleContents = new ArrayList<>();
                for (BoardSpec.Style style : generated) styleContents.add(new StyleContents(inputs.styleImages(style.images())));
                int missing = total - done;
                int[] made = {0};
                long began = System.nanoTime();
                new BoardGenerator(model).generateLatents(styles, sampling, (s, p, latent) -> {
                    styleContents.get(s).add(missingIndexes.get(s).get(p), latent, spec.imageKey(generated.get(s), missingPrompts.get(s).get(p)));
                    context.progress().onStep(StepReport.of("generating content", ++made[0], missing,
                            (System.nanoTime() - began) / 1e9 / made[0]));
                }, step -> context.checkCancelled(), contents);
                if (missing > 0) injectStyle(context, model, injection, size, settings.steps(), styleContents, done, total);
            }
            return Map.of("images", total, "generatedThisAttempt", total - done, "styles", spec.styles().size(), "size", size);
        }
        int[] progress = {done};
        int boardTotal = total;
        int first = done;
        long began = System.nanoTime();
        new BoardGenerator(model).generate(styles, sampling, (s, p, image) -> {
            try (ArtifactStore.PendingWrite write = store.begin(spec.imageKey(generated.get(s), missingPrompts.get(s).get(p)))) {
                ImageIO.write(image, "png", write.stream());
                write.commit();
            }
            // images of a batch arrive together: the mean time per image so far is the honest rate
            double seconds = (System.nanoTime() - began) / 1e9 / (progress[0] + 1 - first);
            context.progress().onStep(new StepReport("generating", ++progress[0], boardTotal, Double.NaN, Double.NaN, seconds, image));
        }, step -> context.checkCancelled());
        return Map.of("images", total, "generatedThisAttempt", total - done, "styles", spec.styles().size(), "size", size);
    }
}

package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import tenshot.diffusion.SeededNoise;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;

/**
 * DreamBooth-LoRA training with prior preservation on a style set, following diffusers'
 * {@code train_dreambooth_lora.py}: class images from the base model (cached on disk), latents and
 * prompt embeddings computed once per run, one instance and one class row per step, uniform
 * timesteps, the scheduler's prediction target, MSE in fp32, AdamW and global grad-norm clipping.
 *
 * <p>Latents: the VAE posterior (mean and std) of every view is computed once; with
 * {@code latentSampling = sample} each step draws a fresh {@code mean + std * eps} (diffusers'
 * {@code latent_dist.sample()}) from a seeded host normal, with {@code mean} it uses the mean. Both are
 * multiplied by the VAE scaling factor.
 *
 * <p>Everything random is a function of the recipe seed and the step ({@link StepDraws}), so a run
 * resumed from a checkpoint ends with the same weights as an uninterrupted one. Runs on the calling
 * thread, which should be the engine's dedicated platform thread.
 */
public final class DreamBoothTrainer {

    /** Loads the base model of a job. */
    @FunctionalInterface
    public interface ModelLoader {
        TrainableModel load(TrainingJob job) throws IOException;
    }

    /** Recipe fields a resumed run may change; any other change makes the checkpoint a different run. */
    private static final Set<String> RESUMABLE_CHANGES = Set.of("name", "steps", "checkpointEvery", "previewEvery", "previewSteps");

    private final TrainingJob job;
    private final ModelLoader loader;

    public DreamBoothTrainer(TrainingJob job, ModelLoader loader) {
        this.job = job;
        this.loader = loader;
    }

    /** Runs the job to its last step, reporting every step; a listener's {@link StepListener.Cancelled} stops it after saving a checkpoint. */
    public TrainingResult run(StepListener listener) throws IOException {
        TrainingRecipe recipe = job.recipe();
        StyleSet style = StyleSet.open(job.styleDir());
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (TrainableModel model = loader.load(job)) {
            return train(model, recipe, style, listener == null ? StepListener.NONE : listener);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private TrainingResult train(TrainableModel model, TrainingRecipe recipe, StyleSet style, StepListener listener)
            throws IOException {
        int resolution = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
        TrainingCheckpoints checkpoints = new TrainingCheckpoints(job.checkpointDir(), 2);
        // refuse an incompatible checkpoint before spending time on class images and encoding
        Optional<TrainingCheckpoints.Saved> resumeFrom = job.resume() ? checkpoints.latest() : Optional.empty();
        if (resumeFrom.isPresent()) {
            checkResumable(recipe, TrainingRecipe.fromJson(resumeFrom.get().state().recipeJson()), resumeFrom.get().directory());
        }
        Files.createDirectories(job.outputDir());
        Files.writeString(job.outputDir().resolve("recipe.json"), recipe.toJson());

        List<String> instancePrompts = style.instancePrompts(new PromptTemplate(recipe.instancePrompt()), job.styleId());
        List<BufferedImage> classImages = new ArrayList<>();
        List<String> classPrompts = new ArrayList<>();
        if (recipe.usesPrior()) {
            model.setAdaptersEnabled(false);
            generateClassImages(model, recipe, style, resolution, classImages, classPrompts, listener);
        }

        try (NDManager run = model.manager().newSubManager()) {
            Views instance = encodeViews(model, run, recipe, resolution, readAll(style), instancePrompts, recipe.viewsPerImage(), 1);
            Views prior = recipe.usesPrior()
                    ? encodeViews(model, run, recipe, resolution, classImages, classPrompts, 1, 2)
                    : null;
            PromptBank prompts = new PromptBank(model, run, recipe.trainsTextEncoder());
            prompts.addAll(instance.prompts);
            if (prior != null) prompts.addAll(prior.prompts);

            TrainableModel.AdapterParameters adapters = model.attachLora(recipe.rank(), recipe.alpha(), recipe.targetModules(),
                    recipe.textEncoderRank(), recipe.textEncoderAlpha(), recipe.seed());
            Map<String, NDArray> unetParams = adapters.unet();
            Map<String, NDArray> textParams = adapters.textEncoder();
            model.setAdaptersEnabled(true);
            Map<String, NDArray> allParams = new LinkedHashMap<>(unetParams);
            allParams.putAll(textParams);
            try (AdamW optimizer = new AdamW(new AdamW.Settings(recipe.adamBeta1(), recipe.adamBeta2(), recipe.adamEpsilon(),
                    recipe.weightDecay()), run)) {
                optimizer.addGroup(unetParams, recipe.learningRate());
                if (!textParams.isEmpty()) optimizer.addGroup(textParams, recipe.textEncoderLearningRate());
                return loop(model, recipe, resolution, instance, prior, prompts, allParams, optimizer, checkpoints, resumeFrom, listener);
            }
        }
    }

    private TrainingResult loop(TrainableModel model, TrainingRecipe recipe, int resolution, Views instance, Views prior,
            PromptBank prompts, Map<String, NDArray> params, AdamW optimizer, TrainingCheckpoints checkpoints,
            Optional<TrainingCheckpoints.Saved> resumeFrom, StepListener listener) throws IOException {
        long start = 0;
        if (resumeFrom.isPresent()) {
            TrainingCheckpoints.restore(resumeFrom.get(), params, optimizer);
            start = resumeFrom.get().state().step();
        }
        int steps = recipe.steps();
        StepDraws draws = new StepDraws(recipe.seed(), instance.count(), recipe.viewsPerImage(),
                prior == null ? 0 : prior.count(), model.schedule().numTrainTimesteps());
        DreamBoothObjective objective = new DreamBoothObjective(model.schedule(), recipe.priorLossWeight());
        LearningRateSchedule lrSchedule = new LearningRateSchedule(recipe.warmupSteps());
        Shape latentShape = instance.mean.get(0).getShape().slice(1); // one row: [4, h, w]
        List<Path> samples = new ArrayList<>();
        Path lastCheckpoint = null;
        double loss = Double.NaN;
        double smoothed = Double.NaN;
        long step = start;
        optimizer.zeroGradients(); // each optimizer step clears the gradients for the next
        try {
            while (step < steps) {
                long began = System.nanoTime();
                StepDraws.Draw draw = draws.draw(step);
                double lrFactor = lrSchedule.factor(step);
                try (NDScope scope = new NDScope()) {
                    NDArray latents = batchLatents(model, recipe, instance, prior, draw, latentShape);
                    NDArray noise = SeededNoise.normal(latents.getManager(), draw.noiseSeeds(), latentShape)
                            .toDevice(model.device().device(), false);
                    try (GradientCollector collector = model.manager().getEngine().newGradientCollector()) {
                        List<String> rowPrompts = new ArrayList<>();
                        rowPrompts.add(instance.prompts.get(draw.instanceView()));
                        if (prior != null) rowPrompts.add(prior.prompts.get(draw.classImage()));
                        NDArray context = prompts.embeddings(rowPrompts);
                        DreamBoothObjective.Loss l = objective.loss(model::predict, latents, noise, draw.timesteps(), context,
                                model.device().dtype());
                        collector.backward(l.total());
                        loss = l.total().getFloat();
                    }
                    GradientClipping.clipGlobalNorm(optimizer.parameters(), recipe.maxGradNorm());
                    optimizer.step(lrFactor);
                    scope.suppressNotUsedWarning();
                }
                step++;
                double seconds = (System.nanoTime() - began) / 1e9;
                smoothed = Double.isNaN(smoothed) ? seconds : 0.8 * smoothed + 0.2 * seconds;
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("training diverged: loss is " + loss + " at step " + step
                            + " (lower learningRate or maxGradNorm in the recipe)");
                }
                boolean last = step == steps;
                BufferedImage preview = null;
                if (last || recipe.previewEvery() > 0 && step % recipe.previewEvery() == 0) {
                    preview = preview(model, recipe, resolution, instance, step, samples);
                }
                if (last || recipe.checkpointEvery() > 0 && step % recipe.checkpointEvery() == 0) {
                    lastCheckpoint = checkpoints.save(state(recipe, step), params, optimizer).directory();
                }
                if (last) model.saveLora(job.loraFile(), metadata(recipe, resolution, step));
                listener.onStep(new StepReport("training", (int) step, steps, loss, recipe.learningRate() * lrFactor, smoothed, preview));
            }
        } catch (StepListener.Cancelled cancelled) {
            // keep what was learned: the run can resume from here
            checkpoints.save(state(recipe, step), params, optimizer);
            throw cancelled;
        }
        if (start >= steps) {
            // resumed a finished run: rewrite its outputs from the checkpoint
            lastCheckpoint = checkpoints.latest().map(TrainingCheckpoints.Saved::directory).orElse(null);
            model.saveLora(job.loraFile(), metadata(recipe, resolution, step));
            preview(model, recipe, resolution, instance, step, samples);
        }
        return new TrainingResult(job.loraFile(), samples, lastCheckpoint, step, start, loss);
    }

    /** {@code [rows, 4, h, w]} fp32 latents of this step: the instance view, then the class image. */
    private static NDArray batchLatents(TrainableModel model, TrainingRecipe recipe, Views instance, Views prior,
            StepDraws.Draw draw, Shape latentShape) {
        NDList rows = new NDList();
        rows.add(instance.latent(draw.instanceView(), draw.latentSeeds()[0], recipe, model, latentShape));
        if (prior != null) rows.add(prior.latent(draw.classImage(), draw.latentSeeds()[1], recipe, model, latentShape));
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }

    private TrainingCheckpoints.State state(TrainingRecipe recipe, long step) {
        return new TrainingCheckpoints.State(step, recipe.seed(), recipe.toJson(), job.modelId(), job.styleId(), Map.of(
                "style", job.styleDir().toAbsolutePath().normalize().toString()));
    }

    private static void checkResumable(TrainingRecipe now, TrainingRecipe then, Path checkpoint) {
        Map<String, List<Object>> changes = new LinkedHashMap<>(then.changesTo(now));
        changes.keySet().removeIf(RESUMABLE_CHANGES::contains);
        changes.keySet().removeIf(k -> k.startsWith("generation."));
        if (!changes.isEmpty()) {
            throw new IllegalArgumentException("cannot resume from " + checkpoint + ": the recipe changed " + changes
                    + " (only " + RESUMABLE_CHANGES + " and generation settings may change)");
        }
    }

    private Map<String, String> metadata(TrainingRecipe recipe, int resolution, long steps) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("tenshot.recipe", recipe.toJson());
        meta.put("tenshot.base_model", job.modelId());
        meta.put("tenshot.style_id", job.styleId());
        meta.put("tenshot.steps", Long.toString(steps));
        meta.put("tenshot.resolution", Integer.toString(resolution));
        meta.put("tenshot.instance_prompt", recipe.instancePrompt());
        meta.put("lora_rank", Integer.toString(recipe.rank()));
        meta.put("lora_alpha", Double.toString(recipe.alpha()));
        return meta;
    }

    private BufferedImage preview(TrainableModel model, TrainingRecipe recipe, int resolution, Views instance, long step,
            List<Path> samples) throws IOException {
        String prompt = instance.prompts.get(0);
        BufferedImage image = model.generate(prompt, recipe.seed(), recipe.previewSteps(), recipe.generation().guidanceScale(),
                resolution, StepListener.NONE);
        Path file = job.samplesDir().resolve(String.format("step-%06d.png", step));
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        samples.add(file);
        return image;
    }

    /**
     * The class images a run of {@code recipe} on {@code style} uses, in training order: every class
     * prompt {@code classImagesPerPrompt} times with seeds {@code seed, seed + 1, ...}, at the training
     * resolution. A job that pre-generates class images into the shared cache must use these keys.
     */
    public static List<ClassImageCache.Key> classImageKeys(TrainingRecipe recipe, StyleSet style, String modelId, int resolution) {
        List<ClassImageCache.Key> keys = new ArrayList<>();
        for (String prompt : style.classPrompts(new PromptTemplate(recipe.classPrompt()))) {
            for (int k = 0; k < recipe.classImagesPerPrompt(); k++) {
                keys.add(new ClassImageCache.Key(modelId, prompt, recipe.seed() + k, recipe.classImageSteps(), resolution,
                        recipe.classImageGuidance(), "ddim"));
            }
        }
        return keys;
    }

    private void generateClassImages(TrainableModel model, TrainingRecipe recipe, StyleSet style, int resolution,
            List<BufferedImage> images, List<String> prompts, StepListener listener) throws IOException {
        ClassImageCache cache = new ClassImageCache(job.classImageDir());
        List<ClassImageCache.Key> keys = classImageKeys(recipe, style, job.modelId(), resolution);
        int total = keys.size();
        for (int i = 0; i < total; i++) {
            ClassImageCache.Key key = keys.get(i);
            long began = System.nanoTime();
            int index = i;
            // denoising steps re-report the class-image progress, so a cancel lands within one step
            StepListener progress = r -> listener.onStep(StepReport.of("class-images", index, total, r.secondsPerStep()));
            images.add(cache.getOrGenerate(key, kk -> model.generate(kk.prompt(), kk.seed(), kk.steps(), kk.guidanceScale(),
                    kk.size(), progress)));
            prompts.add(key.prompt());
            listener.onStep(StepReport.of("class-images", i + 1, total, (System.nanoTime() - began) / 1e9));
        }
    }

    private static List<BufferedImage> readAll(StyleSet style) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        for (Path p : style.images()) out.add(StyleImageReader.read(p));
        return out;
    }

    /** The VAE posterior of every view (encoded once) and the prompt of each. */
    private static Views encodeViews(TrainableModel model, NDManager run, TrainingRecipe recipe, int resolution,
            List<BufferedImage> images, List<String> imagePrompts, int views, long stream) {
        Augmentation augmentation = recipe.augmentation(resolution);
        Views out = new Views();
        for (int i = 0; i < images.size(); i++) {
            for (int v = 0; v < views; v++) {
                SplittableRandom random = new SplittableRandom(StepDraws.mix(recipe.seed(), stream, (long) i * views + v));
                float[] pixels = augmentation.apply(images.get(i), random);
                try (NDManager scratch = run.newSubManager()) {
                    NDArray tensor = scratch.create(pixels, new Shape(1, 3, resolution, resolution))
                            .toDevice(model.device().device(), false);
                    NDArray[] posterior = model.encodeLatentDistribution(tensor);
                    NDArray mean = posterior[0].toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                    NDArray std = posterior[1].toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .clip(-30f, 20f).mul(0.5f).exp();
                    mean.attach(run);
                    std.attach(run);
                    out.mean.add(mean);
                    out.std.add(std);
                }
                out.prompts.add(imagePrompts.get(i));
            }
        }
        return out;
    }

    /** Posterior mean and std of encoded views, and their prompts. */
    private static final class Views {
        final List<NDArray> mean = new ArrayList<>();
        final List<NDArray> std = new ArrayList<>();
        final List<String> prompts = new ArrayList<>();

        int count() {
            return mean.size();
        }

        /** {@code scaling * (mean + std * eps)} with eps from {@code seed}, or {@code scaling * mean}. */
        NDArray latent(int index, long seed, TrainingRecipe recipe, TrainableModel model, Shape shape) {
            NDArray m = mean.get(index);
            float scaling = (float) model.latentScalingFactor();
            if (recipe.latentSampling().equals("mean")) return m.mul(scaling);
            NDArray eps = m.getManager().create(SeededNoise.normal(seed, (int) shape.size()), m.getShape())
                    .toDevice(m.getDevice(), false);
            return m.add(std.get(index).mul(eps)).muli(scaling);
        }
    }

    /** Prompt embeddings: encoded once when the text encoder is frozen, every step (with grad) when it trains. */
    private static final class PromptBank {
        final TrainableModel model;
        final NDManager manager;
        final boolean perStep;
        final Map<String, NDArray> cached = new LinkedHashMap<>();

        PromptBank(TrainableModel model, NDManager manager, boolean perStep) {
            this.model = model;
            this.manager = manager;
            this.perStep = perStep;
        }

        void addAll(List<String> prompts) {
            if (perStep) return;
            for (String p : prompts) {
                if (cached.containsKey(p)) continue;
                NDArray e = model.encodePrompts(List.of(p));
                e.attach(manager);
                cached.put(p, e);
            }
        }

        NDArray embeddings(List<String> prompts) {
            if (perStep) return model.encodePrompts(prompts);
            NDList rows = new NDList();
            for (String p : prompts) rows.add(cached.get(p));
            return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
        }
    }
}

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
import java.util.HashSet;
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
 * <p>A board run trains several styles (one {@link TrainingJob} each, same base model and recipe) in
 * the same UNet passes: each step's batch holds every unfinished style's instance and class rows,
 * each row goes through its own style's adapters, and every style keeps its own draws, optimizer,
 * clipping, checkpoints and outputs. Rows do not interact in the UNet, so each style learns exactly
 * what it would learn alone (up to the rounding of batched kernels).
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

    /** Progress of a board run: each report belongs to the style at {@code style} in the job list. */
    @FunctionalInterface
    public interface BoardListener {
        void onStep(int style, StepReport report);
    }

    /** Recipe fields a resumed run may change; any other change makes the checkpoint a different run. */
    private static final Set<String> RESUMABLE_CHANGES = Set.of("name", "steps", "checkpointEvery", "previewEvery", "previewSteps");

    private final List<TrainingJob> jobs;
    private final ModelLoader loader;

    public DreamBoothTrainer(TrainingJob job, ModelLoader loader) {
        this(List.of(job), loader);
    }

    /** A board run: {@code jobs} share the base model, recipe, device, class-image cache and resume flag. */
    public DreamBoothTrainer(List<TrainingJob> jobs, ModelLoader loader) {
        if (jobs.isEmpty()) throw new IllegalArgumentException("a training run needs at least one style");
        TrainingJob first = jobs.get(0);
        Set<String> styleIds = new HashSet<>();
        Set<Path> outputs = new HashSet<>();
        for (TrainingJob job : jobs) {
            if (!job.modelDir().equals(first.modelDir()) || !job.modelId().equals(first.modelId())
                    || !job.recipe().equals(first.recipe()) || !job.device().equals(first.device())
                    || !job.classImageDir().equals(first.classImageDir()) || job.resume() != first.resume()) {
                throw new IllegalArgumentException("the styles of a board run must share the base model, recipe, device,"
                        + " class-image cache and resume flag; style " + job.styleId() + " differs from " + first.styleId());
            }
            if (!styleIds.add(job.styleId())) throw new IllegalArgumentException("style " + job.styleId() + " appears twice");
            if (!outputs.add(job.outputDir().toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("styles share the output folder " + job.outputDir());
            }
        }
        if (jobs.size() > 1 && first.recipe().trainsTextEncoder()) {
            throw new IllegalArgumentException("a board run trains UNet adapters only: set textEncoderRank to 0 in the recipe"
                    + " (it is " + first.recipe().textEncoderRank() + ")");
        }
        if (jobs.size() > 1 && first.recipe().usesDora()) {
            throw new IllegalArgumentException("a board run trains LoRA adapters only: train each style's DoRA in its own run"
                    + " (recipe adapter \"dora\")");
        }
        this.jobs = List.copyOf(jobs);
        this.loader = loader;
    }

    /** Runs a one-style job to its last step, reporting every step; a listener's {@link StepListener.Cancelled} stops it after saving a checkpoint. */
    public TrainingResult run(StepListener listener) throws IOException {
        if (jobs.size() != 1) throw new IllegalStateException("a board of " + jobs.size() + " styles runs with runBoard");
        StepListener l = listener == null ? StepListener.NONE : listener;
        return runBoard((style, report) -> l.onStep(report)).get(0);
    }

    /** Runs every style to its last step; results in job order. Cancelling saves every style's checkpoint. */
    public List<TrainingResult> runBoard(BoardListener listener) throws IOException {
        BoardListener l = listener == null ? (style, report) -> {} : listener;
        List<StyleFolder> sets = new ArrayList<>();
        for (TrainingJob job : jobs) sets.add(StyleFolder.open(job.styleDir()));
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (TrainableModel model = loader.load(jobs.get(0))) {
            return train(model, jobs.get(0).recipe(), sets, l);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** One style's part of the run: its data, optimizer, checkpoints and progress. */
    private static final class Style {
        final int index;
        final TrainingJob job;
        final StyleFolder set;
        final TrainingCheckpoints checkpoints;
        final Optional<TrainingCheckpoints.Saved> resumeFrom;
        final List<String> instancePrompts;
        final List<BufferedImage> classImages = new ArrayList<>();
        final List<String> classPrompts = new ArrayList<>();
        final List<Path> samples = new ArrayList<>();
        Views instance;
        Views prior;
        StepDraws draws;
        Map<String, NDArray> params;
        OptimizerState optimizer;
        long start;
        long step;
        double loss = Double.NaN;
        double smoothed = Double.NaN;
        Path lastCheckpoint;

        Style(int index, TrainingJob job, StyleFolder set, TrainingRecipe recipe) throws IOException {
            this.index = index;
            this.job = job;
            this.set = set;
            this.checkpoints = new TrainingCheckpoints(job.checkpointDir(), 2);
            this.resumeFrom = job.resume() ? checkpoints.latest() : Optional.empty();
            this.instancePrompts = set.instancePrompts(new PromptTemplate(recipe.instancePrompt()), job.styleId());
        }

        int rows() {
            return prior == null ? 1 : 2;
        }
    }

    private List<TrainingResult> train(TrainableModel model, TrainingRecipe recipe, List<StyleFolder> sets, BoardListener listener)
            throws IOException {
        int resolution = recipe.resolution() > 0 ? recipe.resolution() : model.defaultSize();
        List<Style> styles = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Style style = new Style(i, jobs.get(i), sets.get(i), recipe);
            // refuse an incompatible checkpoint before spending time on class images and encoding
            if (style.resumeFrom.isPresent()) {
                checkResumable(recipe, TrainingRecipe.fromJson(style.resumeFrom.get().state().recipeJson()),
                        style.resumeFrom.get().directory());
            }
            Files.createDirectories(style.job.outputDir());
            Files.writeString(style.job.outputDir().resolve("recipe.json"), recipe.toJson());
            styles.add(style);
        }
        if (recipe.usesPrior()) {
            model.setAdaptersEnabled(false);
            generateClassImages(model, recipe, styles, resolution, listener);
        }

        try (NDManager run = model.manager().newSubManager()) {
            PromptBank prompts = new PromptBank(model, run, recipe.trainsTextEncoder());
            for (Style style : styles) {
                style.instance = encodeViews(model, run, recipe, resolution, readAll(style.set), style.instancePrompts,
                        recipe.viewsPerImage(), 1);
                style.prior = recipe.usesPrior()
                        ? encodeViews(model, run, recipe, resolution, style.classImages, style.classPrompts, 1, 2)
                        : null;
                prompts.addAll(style.instance.prompts);
                if (style.prior != null) prompts.addAll(style.prior.prompts);
            }
            List<TrainableModel.AdapterParameters> adapters = model.attachLora(styles.size(), recipe.rank(), recipe.alpha(),
                    recipe.usesDora(), recipe.targetModules(), recipe.textEncoderRank(), recipe.textEncoderAlpha(), recipe.seed());
            model.setAdaptersEnabled(true);
            AdamW.Settings settings = new AdamW.Settings(recipe.adamBeta1(), recipe.adamBeta2(), recipe.adamEpsilon(), recipe.weightDecay());
            for (Style style : styles) {
                TrainableModel.AdapterParameters a = adapters.get(style.index);
                style.params = new LinkedHashMap<>(a.unet());
                style.params.putAll(a.textEncoder());
            }
            if (styles.size() == 1) {
                TrainableModel.AdapterParameters a = adapters.get(0);
                try (AdamW adamW = new AdamW(settings, run)) {
                    adamW.addGroup(a.unet(), recipe.learningRate());
                    if (!a.textEncoder().isEmpty()) adamW.addGroup(a.textEncoder(), recipe.textEncoderLearningRate());
                    styles.get(0).optimizer = adamW;
                    return loop(model, recipe, resolution, styles, prompts, listener, new Updates(adamW::zeroGradients,
                            (active, lrFactors) -> {
                                GradientClipping.clipGlobalNorm(adamW.parameters(), recipe.maxGradNorm()).close();
                                adamW.step(lrFactors[0]);
                            }));
                }
            }
            // a board: every style's adapters are slices of stacked tensors, stepped together
            try (StackedAdamW stacked = new StackedAdamW(settings, model.styleStacks(), recipe.learningRate(), run)) {
                for (Style style : styles) style.optimizer = stacked.style(style.index);
                return loop(model, recipe, resolution, styles, prompts, listener, new Updates(stacked::zeroGradients,
                        (active, lrFactors) -> stacked.step(active, lrFactors, recipe.maxGradNorm()).close()));
            }
        }
    }

    /**
     * How the styles' adapters are clipped and stepped: one style's own AdamW, or a board's stacked one.
     * {@code step} takes the active styles (indices into the run's styles) and their learning-rate
     * factors, and zeroes the gradients.
     */
    private record Updates(Runnable zeroGradients, java.util.function.BiConsumer<int[], double[]> step) {}

    private List<TrainingResult> loop(TrainableModel model, TrainingRecipe recipe, int resolution, List<Style> styles,
            PromptBank prompts, BoardListener listener, Updates updates) throws IOException {
        int steps = recipe.steps();
        for (Style style : styles) {
            if (style.resumeFrom.isPresent()) {
                TrainingCheckpoints.restore(style.resumeFrom.get(), style.params, style.optimizer);
                style.start = style.resumeFrom.get().state().step();
            }
            style.step = style.start;
            style.draws = new StepDraws(recipe.seed(), style.instance.count(), recipe.viewsPerImage(),
                    style.prior == null ? 0 : style.prior.count(), model.schedule().numTrainTimesteps());
        }
        updates.zeroGradients().run(); // each optimizer step clears the gradients for the next
        DreamBoothObjective objective = new DreamBoothObjective(model.schedule(), recipe.priorLossWeight());
        LearningRateSchedule lrSchedule = new LearningRateSchedule(recipe.warmupSteps());
        Shape latentShape = styles.get(0).instance.mean.get(0).getShape().slice(1); // one row: [4, h, w]
        try {
            while (true) {
                List<Style> active = styles.stream().filter(s -> s.step < steps).toList();
                if (active.isEmpty()) break;
                long began = System.nanoTime();
                List<StepDraws.Draw> draws = new ArrayList<>();
                for (Style style : active) draws.add(style.draws.draw(style.step));
                double[] lrFactors = active.stream().mapToDouble(s -> lrSchedule.factor(s.step)).toArray();
                float[] losses;
                NDArray stacked;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDList latentRows = new NDList();
                    NDList noiseRows = new NDList();
                    List<String> rowPrompts = new ArrayList<>();
                    List<Long> timesteps = new ArrayList<>();
                    int[] rowStyles = new int[active.size() * active.get(0).rows()];
                    int row = 0;
                    for (int i = 0; i < active.size(); i++) {
                        Style style = active.get(i);
                        StepDraws.Draw draw = draws.get(i);
                        latentRows.add(batchLatents(model, recipe, style.instance, style.prior, draw, latentShape));
                        noiseRows.add(SeededNoise.normal(model.manager(), draw.noiseSeeds(), latentShape));
                        rowPrompts.add(style.instance.prompts.get(draw.instanceView()));
                        if (style.prior != null) rowPrompts.add(style.prior.prompts.get(draw.classImage()));
                        for (long t : draw.timesteps()) timesteps.add(t);
                        for (int r = 0; r < style.rows(); r++) rowStyles[row++] = style.index;
                    }
                    NDArray latents = latentRows.size() == 1 ? latentRows.get(0) : NDArrays.concat(latentRows, 0);
                    NDArray noise = (noiseRows.size() == 1 ? noiseRows.get(0) : NDArrays.concat(noiseRows, 0))
                            .toDevice(model.device().device(), false);
                    model.routeRows(rowStyles);
                    try (GradientCollector collector = model.manager().getEngine().newGradientCollector()) {
                        NDArray context = prompts.embeddings(rowPrompts);
                        List<DreamBoothObjective.Loss> perStyle = objective.losses(model::predict, latents, noise,
                                timesteps.stream().mapToLong(Long::longValue).toArray(), context, model.device().dtype(),
                                active.get(0).rows());
                        NDList totals = new NDList();
                        for (DreamBoothObjective.Loss l : perStyle) totals.add(l.total().reshape(1));
                        // (DJL's concat of a single array copies it without grad)
                        stacked = totals.size() == 1 ? totals.get(0) : NDArrays.concat(totals);
                        collector.backward(stacked.sum());
                    }
                    updates.step().accept(active.stream().mapToInt(s -> s.index).toArray(), lrFactors);
                    // the step's one host read, after the update is queued, so the GPU never waits for the host
                    losses = stacked.toFloatArray();
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                // every style's step is counted before any is reported: a listener that cancels part-way
                // through must not leave a stepped optimizer paired with the previous step in a checkpoint
                for (int i = 0; i < active.size(); i++) {
                    Style style = active.get(i);
                    style.step++;
                    style.loss = losses[i];
                    style.smoothed = Double.isNaN(style.smoothed) ? seconds : 0.8 * style.smoothed + 0.2 * seconds;
                    if (!Double.isFinite(style.loss)) {
                        throw new IllegalStateException("training diverged: loss is " + style.loss + " at step " + style.step
                                + (styles.size() > 1 ? " of style " + style.job.styleId() : "")
                                + " (lower learningRate or maxGradNorm in the recipe)");
                    }
                }
                for (int i = 0; i < active.size(); i++) {
                    Style style = active.get(i);
                    boolean last = style.step == steps;
                    BufferedImage preview = null;
                    if (last || recipe.previewEvery() > 0 && style.step % recipe.previewEvery() == 0) {
                        preview = preview(model, recipe, resolution, style);
                    }
                    if (last || recipe.checkpointEvery() > 0 && style.step % recipe.checkpointEvery() == 0) {
                        style.lastCheckpoint = style.checkpoints.save(state(style, recipe), style.params, style.optimizer).directory();
                    }
                    if (last) model.saveLora(style.index, style.job.loraFile(), metadata(style.job, recipe, resolution, style.step));
                    listener.onStep(style.index, new StepReport("training", (int) style.step, steps, style.loss,
                            recipe.learningRate() * lrFactors[i], style.smoothed, preview));
                }
            }
        } catch (StepListener.Cancelled cancelled) {
            // keep what was learned: every style can resume from here
            for (Style style : styles) {
                if (style.step < steps) style.checkpoints.save(state(style, recipe), style.params, style.optimizer);
            }
            throw cancelled;
        }
        List<TrainingResult> results = new ArrayList<>();
        for (Style style : styles) {
            if (style.start >= steps) {
                // resumed a finished run: rewrite its outputs from the checkpoint
                style.lastCheckpoint = style.checkpoints.latest().map(TrainingCheckpoints.Saved::directory).orElse(null);
                model.saveLora(style.index, style.job.loraFile(), metadata(style.job, recipe, resolution, style.step));
                preview(model, recipe, resolution, style);
            }
            results.add(new TrainingResult(style.job.loraFile(), style.samples, style.lastCheckpoint, style.step, style.start,
                    style.loss));
        }
        return results;
    }

    /** {@code [rows, 4, h, w]} fp32 latents of this step: the instance view, then the class image. */
    private static NDArray batchLatents(TrainableModel model, TrainingRecipe recipe, Views instance, Views prior,
            StepDraws.Draw draw, Shape latentShape) {
        NDList rows = new NDList();
        rows.add(instance.latent(draw.instanceView(), draw.latentSeeds()[0], recipe, model, latentShape));
        if (prior != null) rows.add(prior.latent(draw.classImage(), draw.latentSeeds()[1], recipe, model, latentShape));
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }

    private static TrainingCheckpoints.State state(Style style, TrainingRecipe recipe) {
        TrainingJob job = style.job;
        return new TrainingCheckpoints.State(style.step, recipe.seed(), recipe.toJson(), job.modelId(), job.styleId(), Map.of(
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

    private static Map<String, String> metadata(TrainingJob job, TrainingRecipe recipe, int resolution, long steps) {
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

    private static BufferedImage preview(TrainableModel model, TrainingRecipe recipe, int resolution, Style style) throws IOException {
        String prompt = style.instance.prompts.get(0);
        model.useStyle(style.index);
        BufferedImage image = model.generate(prompt, recipe.seed(), recipe.previewSteps(), recipe.generation().guidanceScale(),
                resolution, StepListener.NONE);
        Path file = style.job.samplesDir().resolve(String.format("step-%06d.png", style.step));
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        style.samples.add(file);
        return image;
    }

    /**
     * The class images a run of {@code recipe} on {@code style} uses, in training order: every class
     * prompt {@code classImagesPerPrompt} times with seeds {@code seed, seed + 1, ...}, at the training
     * resolution. A job that pre-generates class images into the shared cache must use these keys.
     */
    public static List<ClassImageCache.Key> classImageKeys(TrainingRecipe recipe, StyleFolder style, String modelId, int resolution) {
        List<ClassImageCache.Key> keys = new ArrayList<>();
        for (String prompt : style.classPrompts(new PromptTemplate(recipe.classPrompt()))) {
            for (int k = 0; k < recipe.classImagesPerPrompt(); k++) {
                keys.add(new ClassImageCache.Key(modelId, prompt, recipe.seed() + k, recipe.classImageSteps(), resolution,
                        recipe.classImageGuidance(), "ddim"));
            }
        }
        return keys;
    }

    /** Class images made in one denoising loop on a GPU; one at a time on the CPU, where batching gains nothing. */
    public static int classImageBatch(TrainableModel model) {
        return model.device().isGpu() ? 8 : 1;
    }

    /**
     * Every style's class images, from the shared cache or generated in batches (the styles of a board
     * share the ones they have in common); each style hears the progress of the whole set.
     */
    private static void generateClassImages(TrainableModel model, TrainingRecipe recipe, List<Style> styles, int resolution,
            BoardListener board) throws IOException {
        List<ClassImageCache.Key> keys = new ArrayList<>();
        List<Integer> firsts = new ArrayList<>();
        for (Style style : styles) {
            firsts.add(keys.size());
            keys.addAll(classImageKeys(recipe, style.set, style.job.modelId(), resolution));
        }
        int total = keys.size();
        long[] began = {System.nanoTime()};
        int[] last = {0};
        ClassImageCache cache = new ClassImageCache(styles.get(0).job.classImageDir());
        List<BufferedImage> images = cache.getOrGenerateAll(keys, classImageBatch(model),
                batch -> model.generate(batch.stream().map(ClassImageCache.Key::prompt).toList(),
                        batch.stream().mapToLong(ClassImageCache.Key::seed).toArray(), batch.get(0).steps(),
                        batch.get(0).guidanceScale(), batch.get(0).size(),
                        // denoising steps re-report the class-image progress, so a cancel lands within one step
                        r -> { for (Style s : styles) board.onStep(s.index, StepReport.of("class-images", last[0], total, r.secondsPerStep())); }),
                done -> {
                    double seconds = done > last[0] ? (System.nanoTime() - began[0]) / 1e9 / (done - last[0]) : 0;
                    last[0] = done;
                    began[0] = System.nanoTime();
                    for (Style s : styles) board.onStep(s.index, StepReport.of("class-images", done, total, seconds));
                });
        for (int i = 0; i < styles.size(); i++) {
            Style style = styles.get(i);
            int end = i + 1 < styles.size() ? firsts.get(i + 1) : total;
            for (int k = firsts.get(i); k < end; k++) {
                style.classImages.add(images.get(k));
                style.classPrompts.add(keys.get(k).prompt());
            }
        }
    }

    private static List<BufferedImage> readAll(StyleFolder style) throws IOException {
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

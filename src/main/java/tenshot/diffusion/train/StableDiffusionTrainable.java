package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.LoraSpec;
import tenshot.diffusion.lora.StyleAdapters;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.LatentCodec;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.vae.AutoencoderKL;

/**
 * A diffusers-format Stable Diffusion 2.1 folder loaded for training: frozen tokenizer, text encoder,
 * UNet and VAE in the device dtype, LoRA adapters from {@link LoraSet} in fp32, and the engine's
 * pipeline for class images and previews.
 */
public final class StableDiffusionTrainable implements TrainableModel {

    private final EngineDevice device;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final NoiseSchedule schedule;
    private final DiffusionPipeline pipeline;
    /** Each style's adapters; with several, {@link #routed} applies them row by row. */
    private final List<LoraSet> styles = new ArrayList<>();
    private StyleAdapters routed;
    private boolean adaptersEnabled = true;

    public StableDiffusionTrainable(EngineDevice device, NDManager manager, ClipTokenizer tokenizer, ClipTextModel textEncoder,
            UNet2DConditionModel unet, AutoencoderKL vae, NoiseSchedule schedule) {
        this.device = device;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedule = schedule;
        LatentCodec codec = LatentCodec.of(vae);
        StableDiffusion model = new StableDiffusion(device, manager, tokenizer, textEncoder::forward, unet, codec, schedule,
                Scheduler.Kind.DDIM, unet.config().inChannels(), unet.config().sampleSize() * 8,
                Map.of("unet", unet.linears(), "text_encoder", textEncoder.linears()));
        this.pipeline = new DiffusionPipeline(model);
    }

    /** Loads {@code tokenizer/}, {@code text_encoder/}, {@code unet/}, {@code vae/} and {@code scheduler/} of a model folder. */
    public static StableDiffusionTrainable load(Path modelDir, EngineDevice device) {
        for (String part : List.of("tokenizer", "text_encoder", "unet", "vae", "scheduler")) {
            if (!Files.isDirectory(modelDir.resolve(part))) {
                throw new IllegalArgumentException("model folder " + modelDir + " has no " + part + "/ (expected a diffusers Stable Diffusion folder)");
            }
        }
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            return new StableDiffusionTrainable(device, manager,
                    ClipTokenizer.load(modelDir.resolve("tokenizer")),
                    ClipTextModel.load(modelDir.resolve("text_encoder"), device, manager),
                    UNet2DConditionModel.load(modelDir.resolve("unet"), device, manager),
                    AutoencoderKL.load(modelDir.resolve("vae"), device, manager),
                    new NoiseSchedule(SchedulerConfig.load(modelDir.resolve("scheduler/scheduler_config.json"))));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Seeded random weights for the configs of {@code configDir}, as {@link StableDiffusionLoader#randomParts} draws them (benchmarks). */
    public static StableDiffusionTrainable random(Path configDir, Path tokenizerDir, EngineDevice device, long seed) {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            StableDiffusionLoader.Parts parts = StableDiffusionLoader.randomParts(configDir, tokenizerDir, device, manager, seed);
            return new StableDiffusionTrainable(device, manager, parts.tokenizer(), parts.textEncoder(), parts.unet(), parts.vae(),
                    new NoiseSchedule(parts.scheduler()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    @Override
    public EngineDevice device() {
        return device;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public int defaultSize() {
        return unet.config().sampleSize() * 8;
    }

    @Override
    public double latentScalingFactor() {
        return vae.scalingFactor();
    }

    @Override
    public NDArray[] encodeLatentDistribution(NDArray images) {
        NDArray input = images.getDataType() == device.dtype() ? images : images.toType(device.dtype(), false);
        AutoencoderKL.Posterior posterior = vae.encode(input);
        return new NDArray[] {posterior.mean().toType(DataType.FLOAT32, false), posterior.logvar().toType(DataType.FLOAT32, false)};
    }

    @Override
    public NDArray encodePrompts(List<String> prompts) {
        long[][] ids = tokenizer.encodeBatch(prompts);
        long[] flat = new long[ids.length * ids[0].length];
        for (int i = 0; i < ids.length; i++) System.arraycopy(ids[i], 0, flat, i * ids[i].length, ids[i].length);
        NDArray inputIds = manager.create(flat, new Shape(ids.length, ids[0].length)).toDevice(device.device(), false);
        return Casts.to(textEncoder.forward(inputIds), device.dtype());
    }

    @Override
    public NDArray predict(NDArray noisyLatents, long[] timesteps, NDArray encoderHiddenStates) {
        NDArray t = manager.create(timesteps).toDevice(device.device(), false);
        return unet.forward(noisyLatents, t, encoderHiddenStates);
    }

    @Override
    public List<AdapterParameters> attachLora(int count, int rank, double alpha, boolean dora, List<String> targets, int textRank,
            double textAlpha, long seed) {
        if (!styles.isEmpty()) throw new IllegalStateException("LoRA adapters are already attached");
        if (count < 1) throw new IllegalArgumentException("need at least one style's adapters, got " + count);
        if (count > 1 && textRank > 0) throw new IllegalArgumentException("several styles train UNet adapters only (text rank 0)");
        if (count > 1 && dora) throw new IllegalArgumentException("several styles train LoRA adapters only; DoRA trains one style per run");
        for (int s = 0; s < count; s++) {
            List<LoraSpec> specs = new ArrayList<>();
            specs.add(new LoraSpec("unet", unet.linears(), targets, rank, alpha, dora));
            if (textRank > 0) specs.add(new LoraSpec("text_encoder", textEncoder.linears(), LoraSpec.TEXT_ATTENTION, textRank, textAlpha));
            styles.add(LoraSet.createTrainable(specs, seed, manager));
        }
        if (count > 1) {
            // the stacks take over the styles' tensors: each style is now a view of its slice
            routed = StyleAdapters.attach(styles, manager);
            styles.clear();
            for (int s = 0; s < count; s++) styles.add(routed.style(s));
        }
        List<AdapterParameters> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            Map<String, NDArray> unetParams = new LinkedHashMap<>();
            Map<String, NDArray> textParams = new LinkedHashMap<>();
            for (LoraSet.Parameter p : styles.get(s).parameters()) {
                if (p.component().equals("unet")) unetParams.put(p.peftName(), p.array());
                else textParams.put(p.component() + "." + p.peftName(), p.array());
            }
            out.add(new AdapterParameters(unetParams, textParams));
        }
        return out;
    }

    @Override
    public Map<String, NDArray> styleStacks() {
        if (routed == null) throw new IllegalStateException("adapters are stacked only when several styles are attached");
        return routed.stacks();
    }

    @Override
    public void routeRows(int[] rowStyles) {
        if (routed != null) routed.route(rowStyles);
    }

    @Override
    public void useStyle(int style) {
        if (routed != null) routed.useStyle(style);
    }

    @Override
    public void setAdaptersEnabled(boolean enabled) {
        adaptersEnabled = enabled;
        if (routed != null) routed.setEnabled(enabled);
        else for (LoraSet set : styles) set.setEnabled(enabled);
    }

    @Override
    public void saveLora(int style, Path file, Map<String, String> metadata) {
        if (styles.isEmpty()) throw new IllegalStateException("no LoRA adapters are attached");
        styles.get(style).save(file, metadata);
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long[] seeds, int steps, double guidanceScale, int size,
            StepListener listener) {
        GenerationRequest request = GenerationRequest.builder(prompts)
                .seeds(seeds)
                .size(size, size)
                .steps(steps)
                .guidanceScale(guidanceScale)
                .scheduler(Scheduler.Kind.DDIM)
                .build();
        return pipeline.generate(request, listener);
    }

    /** Whether attached adapters currently act on the model. */
    public boolean adaptersEnabled() {
        return adaptersEnabled;
    }

    @Override
    public void close() {
        if (routed != null) routed.close();
        else for (LoraSet set : styles) set.close();
        manager.close();
    }
}

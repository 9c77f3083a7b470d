package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.SeededNoise;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.guidance.StyleGuide;
import tenshot.diffusion.schedulers.Scheduler;

/**
 * Stable Diffusion sampling as diffusers' StableDiffusionPipeline and StableDiffusionImg2ImgPipeline
 * run it: prompts and the negative prompt encoded together, classifier-free guidance on a doubled
 * batch ({@code [negative..., prompts...]}), the chosen scheduler, VAE decoding to [0, 1].
 *
 * <p>Latents stay fp32 on the device; the UNet sees them in the engine dtype. Each step runs in its
 * own {@link NDScope}, and nothing is read back to the host until the images are decoded. Call from
 * the engine thread: grad mode is off during each call and restored after it.
 */
public final class DiffusionPipeline {

    /** Sees the latents after each denoising step (tests compare them with diffusers). */
    @FunctionalInterface
    public interface StepObserver {
        StepObserver NONE = (index, latents) -> {};

        void afterStep(int index, NDArray latents);
    }

    private final StableDiffusion model;
    private final StyleGuide guide;

    public DiffusionPipeline(StableDiffusion model) {
        this(model, null);
    }

    /** Sampling with style-descriptor guidance at the steps {@code guide}'s settings name, or none when null. */
    public DiffusionPipeline(StableDiffusion model, StyleGuide guide) {
        this.model = model;
        this.guide = guide;
    }

    public StableDiffusion model() {
        return model;
    }

    /** Generates one image per prompt at the requested size; the listener hears every step. */
    public List<BufferedImage> generate(GenerationRequest request, StepListener listener) {
        try (NoGrad noGrad = new NoGrad(); NDManager out = model.manager().newSubManager()) {
            noGrad.suppressNotUsedWarning();
            return Images.fromTensor(decode(generateLatents(request, listener, out)));
        }
    }

    /**
     * The final latents of one image per prompt ({@code [B, 4, h, w]}, fp32, scaled as the UNet sees
     * them), on {@code manager}: what {@link #generate} decodes.
     */
    public NDArray generateLatents(GenerationRequest request, StepListener listener, NDManager manager) {
        try (NoGrad noGrad = new NoGrad()) {
            noGrad.suppressNotUsedWarning();
            Scheduler.Kind kind = request.scheduler() != null ? request.scheduler() : model.defaultScheduler();
            Shape latentShape = new Shape(model.latentChannels(), request.height() / 8, request.width() / 8);
            try (NDManager run = manager.newSubManager();
                    Scheduler scheduler = Scheduler.create(kind, model.schedule(), request.steps(), run)) {
                boolean guided = request.guidanceScale() > 1.0;
                NDArray context = encodePrompts(request.prompts(), request.negativePrompt(), guided, run);
                NDArray noise = SeededNoise.normal(run, request.seeds(), latentShape).toDevice(model.device().device(), false);
                NDArray latents;
                int start;
                if (request.isImageToImage()) {
                    start = scheduler.startIndex(request.strength());
                    latents = scheduler.addNoise(initLatents(request, run), noise, start);
                } else {
                    start = 0;
                    latents = noise.mul((float) scheduler.initNoiseSigma());
                }
                return keep(denoise(scheduler, start, latents, context, request.guidanceScale(), listener, StepObserver.NONE), manager);
            }
        }
    }

    /** The scaled init latents of every prompt; each distinct start image is encoded once. */
    private NDArray initLatents(GenerationRequest request, NDManager run) {
        Map<BufferedImage, NDArray> encoded = new IdentityHashMap<>();
        NDList rows = new NDList();
        for (BufferedImage image : request.initImages()) {
            rows.add(encoded.computeIfAbsent(image, i -> encodeImage(Images.toTensor(run,
                    Images.resize(i, request.width(), request.height())).toDevice(model.device().device(), false))));
        }
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows);
    }

    /**
     * Prompt embeddings in the engine dtype: {@code [2B, 77, D]} with the negative prompt's rows first
     * when guided, else {@code [B, 77, D]}.
     */
    public NDArray encodePrompts(List<String> prompts, String negativePrompt, boolean guided, NDManager manager) {
        try (NoGrad noGrad = new NoGrad()) {
            noGrad.suppressNotUsedWarning();
            List<String> all = new ArrayList<>();
            if (guided) for (int i = 0; i < prompts.size(); i++) all.add(negativePrompt);
            all.addAll(prompts);
            long[][] ids = model.tokenizer().encodeBatch(all);
            long[] flat = new long[ids.length * ids[0].length];
            for (int i = 0; i < ids.length; i++) System.arraycopy(ids[i], 0, flat, i * ids[i].length, ids[i].length);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray inputIds = manager.create(flat, new Shape(ids.length, ids[0].length)).toDevice(model.device().device(), false);
                return keep(model.textEncoder().encode(inputIds).toType(model.device().dtype(), false), manager);
            }
        }
    }

    /**
     * Runs the denoising loop from step {@code start} and returns the final latents (fp32, a new array
     * on {@code latents}' manager; {@code latents} itself is left to the caller).
     */
    public NDArray denoise(Scheduler scheduler, int start, NDArray latents, NDArray context, double guidanceScale,
            StepListener listener, StepObserver observer) {
        try (NoGrad noGrad = new NoGrad()) {
            noGrad.suppressNotUsedWarning();
            boolean guided = guidanceScale > 1.0;
            if (guide != null) StyleGuide.originalOf(scheduler); // a sampler without x̂0 is refused before any step
            NDManager manager = latents.getManager();
            DataType unetType = model.device().dtype();
            float[] timestepValues = new float[scheduler.size()];
            for (int i = 0; i < timestepValues.length; i++) timestepValues[i] = (float) scheduler.timestep(i);
            NDArray timesteps = manager.create(timestepValues).toDevice(latents.getDevice(), false);
            NDArray scale = manager.create((float) guidanceScale).toDevice(latents.getDevice(), false);
            NDArray current = latents;
            int total = scheduler.size() - start;
            double smoothed = Double.NaN;
            try {
                for (int i = start; i < scheduler.size(); i++) {
                    long began = System.nanoTime();
                    NDArray next;
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray input = guided ? NDArrays.concat(new NDList(current, current)) : current;
                        NDArray unetInput = scheduler.scaleModelInput(input, i).toType(unetType, false);
                        NDArray prediction = model.unet().predict(unetInput, timesteps.get(i), context)
                                .toType(DataType.FLOAT32, false);
                        if (guided) {
                            NDList halves = prediction.split(2);
                            NDArray unconditional = halves.get(0);
                            prediction = halves.get(1).sub(unconditional).muli(scale).addi(unconditional);
                        }
                        NDArray sample = guide == null ? current : guide.step(scheduler, i, current, prediction);
                        next = scheduler.step(prediction, i, sample);
                        NDScope.unregister(next);
                    }
                    if (current != latents) current.close();
                    current = next;
                    observer.afterStep(i, current);
                    double seconds = (System.nanoTime() - began) / 1e9;
                    smoothed = Double.isNaN(smoothed) ? seconds : 0.7 * smoothed + 0.3 * seconds;
                    listener.onStep(StepReport.of("generating", i - start + 1, total, smoothed));
                }
                NDArray result = current;
                current = null;
                return result;
            } finally {
                if (current != null && current != latents) current.close();
                timesteps.close();
                scale.close();
            }
        }
    }

    /** Images in [0, 1] ({@code [B, 3, H, W]}, fp32) from scaled latents, decoded one image at a time. */
    public NDArray decode(NDArray latents) {
        try (NoGrad noGrad = new NoGrad()) {
            noGrad.suppressNotUsedWarning();
            NDManager manager = latents.getManager();
            float inverseScale = (float) (1.0 / model.vae().scalingFactor());
            NDList images = new NDList();
            try {
                for (int b = 0; b < latents.getShape().get(0); b++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray one = latents.get(b + ":" + (b + 1)).mul(inverseScale).toType(model.device().dtype(), false);
                        NDArray image = model.vae().decode(one).toType(DataType.FLOAT32, false)
                                .mul(0.5f).add(0.5f).clip(0f, 1f);
                        images.add(keep(image, manager));
                    }
                }
                return images.size() == 1 ? images.get(0) : NDArrays.concat(images);
            } finally {
                if (images.size() > 1) images.close();
            }
        }
    }

    /** Scaled latents ({@code mean * scaling_factor}) of images in [-1, 1], as img2img starts from. */
    public NDArray encodeImage(NDArray images) {
        try (NoGrad noGrad = new NoGrad()) {
            noGrad.suppressNotUsedWarning();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray mean = model.vae().encodeMean(images.toType(model.device().dtype(), false));
                return keep(mean.toType(DataType.FLOAT32, false).mul((float) model.vae().scalingFactor()), images.getManager());
            }
        }
    }

    /** Takes a result out of the open scope onto {@code manager}, whichever manager the op chose. */
    private static NDArray keep(NDArray array, NDManager manager) {
        array.attach(manager);
        NDScope.unregister(array);
        return array;
    }

    /** Grad mode off for an inference call, restored afterwards (training threads call in for previews). */
    private static final class NoGrad implements AutoCloseable {
        private final boolean previous = JniUtils.isGradMode();

        NoGrad() {
            JniUtils.setGradMode(false);
        }

        void suppressNotUsedWarning() {}

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }
}

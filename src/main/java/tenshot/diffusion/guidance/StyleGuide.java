package tenshot.diffusion.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.awt.image.BufferedImage;
import java.util.List;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.schedulers.PredictsOriginal;
import tenshot.diffusion.schedulers.Scheduler;

/**
 * Style-descriptor guidance (training-free): at a guided sampling step, x̂0 from the scheduler's
 * prediction, decoded by the VAE, embedded by Ψ; the latent takes one step against the gradient of
 * {@code ‖Ψ̄ − Ψ(x̂0)‖²}, Ψ̄ the mean Ψ of the style images. The model output is held fixed (no
 * gradient through the UNet); the gradient runs through the VAE decoder and Ψ only.
 *
 * <p>Each image of a batch is decoded and differentiated on its own, and its gradient scaled to
 * {@code stepSize} root mean square, so a step's length does not depend on the descriptor's or the
 * VAE's gradient scale. Call from the engine thread; grad mode is on only inside a guided step.
 */
public final class StyleGuide implements AutoCloseable {

    private final StableDiffusion model;
    private final StyleDescriptor descriptor;
    private final StyleGuidance settings;
    private final NDManager manager;
    private final NDArray target;
    private final float inverseScale;

    private StyleGuide(StableDiffusion model, StyleDescriptor descriptor, StyleGuidance settings, NDManager manager,
            NDArray target) {
        this.model = model;
        this.descriptor = descriptor;
        this.settings = settings;
        this.manager = manager;
        this.target = target;
        this.inverseScale = (float) (1.0 / model.vae().scalingFactor());
    }

    /** A guide towards the mean Ψ of {@code styleImages} (each embedded at its own size). */
    public static StyleGuide toward(StableDiffusion model, StyleDescriptor descriptor, StyleGuidance settings,
            List<BufferedImage> styleImages) {
        if (styleImages.isEmpty()) throw new IllegalArgumentException("style guidance needs at least one style image");
        NDManager manager = model.manager().newSubManager();
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray sum = null;
            for (BufferedImage image : styleImages) {
                NDArray pixels = manager.create(Images.planes(image), new Shape(1, 3, image.getHeight(), image.getWidth()))
                        .toDevice(model.device().device(), false);
                NDArray psi = descriptor.describe(pixels);
                sum = sum == null ? psi : sum.add(psi);
            }
            NDArray mean = sum.div(styleImages.size());
            mean.attach(manager);
            NDScope.unregister(mean);
            return new StyleGuide(model, descriptor, settings, manager, mean);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    public StyleGuidance settings() {
        return settings;
    }

    /** The style's mean Ψ, {@code [1, D]}. */
    public NDArray target() {
        return target;
    }

    /** Refuses a sampler that cannot give x̂0. */
    public static PredictsOriginal originalOf(Scheduler scheduler) {
        if (scheduler instanceof PredictsOriginal p) return p;
        throw new IllegalArgumentException("style guidance needs the ddim scheduler (it takes x̂0 from its step), not "
                + scheduler.getClass().getSimpleName());
    }

    /**
     * Step {@code index} of the latents {@code sample} with the model output {@code modelOutput}: the guided
     * sample when the settings guide this step, else {@code sample} itself.
     */
    public NDArray step(Scheduler scheduler, int index, NDArray sample, NDArray modelOutput) {
        if (!settings.guides(index, scheduler.size())) return sample;
        NDArray gradient = gradient(originalOf(scheduler), index, sample, modelOutput);
        NDArray rms = gradient.square().sum(new int[] {1, 2, 3}, true)
                .div(gradient.getShape().size() / gradient.getShape().get(0)).sqrt();
        // a zero gradient (every pixel clipped) leaves the image where it is
        return sample.sub(gradient.div(rms.maximum(1e-30f)).mul((float) settings.stepSize()));
    }

    /** Each image's {@code ‖Ψ̄ − Ψ(x̂0)‖²}, {@code [B]}, without gradients. */
    public NDArray loss(PredictsOriginal scheduler, int index, NDArray sample, NDArray modelOutput) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDList rows = new NDList();
            for (long b = 0; b < sample.getShape().get(0); b++) {
                rows.add(rowLoss(scheduler, index, row(sample, b), row(modelOutput, b)).reshape(1));
            }
            return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** The gradient of each image's loss with respect to its latent (the model output held fixed), like {@code sample}. */
    public NDArray gradient(PredictsOriginal scheduler, int index, NDArray sample, NDArray modelOutput) {
        boolean previous = JniUtils.isGradMode();
        NDList gradients = new NDList();
        // the collector turns grad mode on; it throws while another (training) collects
        try (GradientCollector collector = model.manager().getEngine().newGradientCollector()) {
            for (long b = 0; b < sample.getShape().get(0); b++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray leaf = row(sample, b).duplicate();
                    leaf.setRequiresGradient(true);
                    collector.backward(rowLoss(scheduler, index, leaf, row(modelOutput, b)));
                    NDArray gradient = leaf.getGradient();
                    gradient.attach(sample.getManager());
                    NDScope.unregister(gradient);
                    gradients.add(gradient);
                }
            }
        } finally {
            JniUtils.setGradMode(previous);
        }
        if (gradients.size() == 1) return gradients.get(0);
        NDArray all = NDArrays.concat(gradients);
        gradients.close();
        return all;
    }

    private NDArray rowLoss(PredictsOriginal scheduler, int index, NDArray sample, NDArray modelOutput) {
        NDArray original = scheduler.predictOriginal(modelOutput, index, sample);
        NDArray decoded = model.vae().decode(Casts.to(original.mul(inverseScale), model.device().dtype()));
        NDArray image = Casts.to(decoded, DataType.FLOAT32).mul(0.5f).add(0.5f).clip(0f, 1f);
        return descriptor.describe(image).sub(target).square().sum();
    }

    private static NDArray row(NDArray x, long b) {
        return x.get(b + ":" + (b + 1));
    }

    @Override
    public void close() {
        manager.close();
    }
}

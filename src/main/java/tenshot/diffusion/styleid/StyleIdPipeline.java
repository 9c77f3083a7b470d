package tenshot.diffusion.styleid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.awt.image.BufferedImage;
import java.util.List;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.unet.UNet2DConditionModel;

/**
 * StyleID on a Stable Diffusion model's generated content: a content latent (the final latent of a
 * generation, {@link DiffusionPipeline#generateLatents}) and a style image (its VAE mean × scaling factor,
 * inverted once for all its contents: {@link #invertStyle}) through {@link StyleId}, decoded to an image.
 * Recordings are stored in the engine dtype (fp16 on CUDA). Call from the engine thread.
 */
public final class StyleIdPipeline implements AutoCloseable {

    private final DiffusionPipeline pipeline;
    private final NDManager manager;
    private final StyleId styleId;

    public StyleIdPipeline(DiffusionPipeline pipeline, StyleInjection settings) {
        StableDiffusion model = pipeline.model();
        if (!(model.unet() instanceof UNet2DConditionModel unet)) {
            throw new IllegalArgumentException("StyleID needs the UNet's attention layers; this model's UNet is a "
                    + model.unet().getClass().getSimpleName());
        }
        this.pipeline = pipeline;
        this.manager = model.manager().newSubManager();
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray emptyPrompt = pipeline.encodePrompts(List.of(""), "", false, manager);
            this.styleId = new StyleId(unet, model.schedule(), emptyPrompt, settings, model.device().dtype(), manager);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * A style image (resized to {@code width x height}, the contents' pixel size) encoded and DDIM-inverted once
     * with {@code steps} steps, for any number of {@link #transfer transfers}; the caller closes it.
     */
    public StyleInversion invertStyle(BufferedImage style, int width, int height, int steps) {
        if (width % 8 != 0 || height % 8 != 0) throw new IllegalArgumentException("StyleID needs a size divisible by 8, got "
                + width + "x" + height);
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager work = manager.newSubManager()) {
            NDArray pixels = Images.toTensor(work, Images.resize(style, width, height)).toDevice(pipeline.model().device().device(), false);
            return styleId.invertStyle(pipeline.encodeImage(pixels), steps);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** The stylised image of one content latent ({@code [1, 4, h, w]}) with an inverted style of the same size. */
    public BufferedImage transfer(NDArray content, StyleInversion style) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager work = manager.newSubManager()) {
            NDArray stylised = styleId.transfer(content, style);
            stylised.attach(work);
            return Images.fromTensor(pipeline.decode(stylised)).get(0);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    @Override
    public void close() {
        styleId.close();
        manager.close();
    }
}

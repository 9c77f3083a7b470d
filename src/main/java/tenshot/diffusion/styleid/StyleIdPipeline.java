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
 * generation, {@link DiffusionPipeline#generateLatents}) and a style image (its VAE mean × scaling factor)
 * through {@link StyleId}, decoded to an image. Recordings are stored in the engine dtype (fp16 on CUDA).
 * Call from the engine thread.
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
     * The stylised image of one content latent ({@code [1, 4, h, w]}) with {@code style} (resized to the
     * content's pixel size), inverted and denoised with {@code steps} DDIM steps.
     */
    public BufferedImage transfer(NDArray content, BufferedImage style, int steps) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager work = manager.newSubManager()) {
            int height = (int) content.getShape().get(2) * 8;
            int width = (int) content.getShape().get(3) * 8;
            NDArray pixels = Images.toTensor(work, Images.resize(style, width, height)).toDevice(content.getDevice(), false);
            NDArray styleLatent = pipeline.encodeImage(pixels);
            NDArray stylised = styleId.transfer(content, styleLatent, steps);
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

package tenshot.diffusion.guidance;

import ai.djl.ndarray.NDArray;

/**
 * Ψ of style-descriptor guidance: an image embedding that is differentiable in grad mode, so the
 * distance of a generated image's Ψ to the style's can be followed back to the latent.
 */
public interface StyleDescriptor {

    /** Embeddings {@code [B, D]} (fp32) of images {@code [B, 3, H, W]} in [0, 1] (fp32, any size). */
    NDArray describe(NDArray images);
}

package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;

/** The VAE as the pipeline uses it, in its own (unscaled) latent space. */
public interface LatentCodec {

    /** Posterior mean of images in [-1, 1], {@code [B, 3, H, W]} to {@code [B, 4, H/8, W/8]}. */
    NDArray encodeMean(NDArray images);

    /** Latents to images in about [-1, 1]. */
    NDArray decode(NDArray latents);

    /** {@code scaling_factor} of the VAE config (0.18215 for SD 2.1). */
    double scalingFactor();
}

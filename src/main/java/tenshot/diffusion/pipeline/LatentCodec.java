package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.vae.AutoencoderKL;

/** The VAE as the pipeline uses it, in its own (unscaled) latent space. */
public interface LatentCodec {

    /** Posterior mean of images in [-1, 1], {@code [B, 3, H, W]} to {@code [B, 4, H/8, W/8]}. */
    NDArray encodeMean(NDArray images);

    /** Latents to images in about [-1, 1]. */
    NDArray decode(NDArray latents);

    /** {@code scaling_factor} of the VAE config (0.18215 for SD 2.1). */
    double scalingFactor();

    /** The codec of a loaded AutoencoderKL. */
    static LatentCodec of(AutoencoderKL vae) {
        return new LatentCodec() {
            @Override
            public NDArray encodeMean(NDArray images) {
                return vae.encode(images).mean();
            }

            @Override
            public NDArray decode(NDArray latents) {
                return vae.decode(latents);
            }

            @Override
            public double scalingFactor() {
                return vae.scalingFactor();
            }
        };
    }
}

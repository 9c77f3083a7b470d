package tenshot.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.Conv2d;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code AutoencoderKL}: encodes images in [-1, 1] to a diagonal Gaussian over latents and
 * decodes latents back. Latents fed to the UNet are {@code sample · scalingFactor()}; divide by it
 * before {@link #decode}.
 */
public final class AutoencoderKL {

    /** The diagonal Gaussian posterior over latents. */
    public record Posterior(NDArray mean, NDArray logvar) {

        public NDArray std() {
            return logvar.mul(0.5f).exp();
        }

        /** {@code mean + std·noise} for standard-normal {@code noise} of the latents' shape. */
        public NDArray sample(NDArray noise) {
            return mean.add(std().mul(noise));
        }
    }

    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    public AutoencoderKL(Weights weights, VaeConfig config) {
        this.config = config;
        int latent = config.latentChannels();
        this.encoder = new Encoder(weights.sub("encoder"), config);
        this.decoder = new Decoder(weights.sub("decoder"), config);
        this.quantConv = config.useQuantConv() ? new Conv2d(weights.sub("quant_conv"), 2 * latent, 2 * latent, 1, 1, 0) : null;
        this.postQuantConv = config.usePostQuantConv() ? new Conv2d(weights.sub("post_quant_conv"), latent, latent, 1, 1, 0) : null;
    }

    /** Loads {@code vae/} of a diffusers model folder (config.json + safetensors). */
    public static AutoencoderKL load(Path folder, EngineDevice device, NDManager manager) {
        VaeConfig config = VaeConfig.read(folder.resolve("config.json"));
        return new AutoencoderKL(Weights.componentFolder(device, manager, folder), config);
    }

    /** A random-weight VAE of {@code config} (benchmarks, tests). */
    public static AutoencoderKL random(VaeConfig config, EngineDevice device, NDManager manager, long seed) {
        return new AutoencoderKL(Weights.random(device, manager, seed), config);
    }

    /**
     * The posterior for {@code image [B, 3, H, W]} in [-1, 1]; H and W multiples of 8. The encoder's
     * intermediates are released on return; only the posterior joins the caller's scope.
     */
    public Posterior encode(NDArray image) {
        NDArray moments = Scoped.run(() -> {
            NDArray h = encoder.forward(image);
            return quantConv != null ? quantConv.forward(h) : h;
        });
        NDList halves = moments.split(2, 1);
        return new Posterior(halves.get(0), halves.get(1).clip(-30f, 20f));
    }

    /**
     * The image in roughly [-1, 1] (unclamped) for unscaled {@code latents [B, latent_channels, h, w]}.
     * The decoder's intermediates are released on return; only the image joins the caller's scope.
     */
    public NDArray decode(NDArray latents) {
        return Scoped.run(() -> decoder.forward(postQuantConv != null ? postQuantConv.forward(latents) : latents));
    }

    /** {@code scaling_factor} from the config (0.18215 for SD 1/2). */
    public double scalingFactor() {
        return config.scalingFactor();
    }

    public VaeConfig config() {
        return config;
    }
}

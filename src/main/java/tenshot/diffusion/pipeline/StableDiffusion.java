package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.tokenizer.ClipTokenizer;

/**
 * A loaded Stable Diffusion model: tokenizer, text encoder, UNet, VAE and noise schedule on one
 * engine device. It owns the weights' manager; closing it frees them.
 *
 * @param defaultScheduler the sampler the checkpoint's scheduler config names
 * @param latentChannels the UNet's {@code in_channels}
 * @param defaultSize the image size the UNet was trained at ({@code sample_size * 8})
 * @param linears the adaptable linear layers by component ({@code unet}, {@code text_encoder}) and
 *     diffusers module name, where LoRA adapters attach
 */
public record StableDiffusion(
        EngineDevice device,
        NDManager manager,
        ClipTokenizer tokenizer,
        PromptEncoder textEncoder,
        NoisePredictor unet,
        LatentCodec vae,
        NoiseSchedule schedule,
        Scheduler.Kind defaultScheduler,
        int latentChannels,
        int defaultSize,
        Map<String, Map<String, Linear>> linears) implements AutoCloseable {

    /** The sampler a diffusers scheduler class name stands for; DDIM when the class is not one of ours. */
    public static Scheduler.Kind kindOf(String schedulerClass) {
        return switch (schedulerClass) {
            case "PNDMScheduler" -> Scheduler.Kind.PNDM;
            case "EulerDiscreteScheduler" -> Scheduler.Kind.EULER;
            case "DPMSolverMultistepScheduler" -> Scheduler.Kind.DPMPP_2M;
            default -> Scheduler.Kind.DDIM;
        };
    }

    @Override
    public void close() {
        manager.close();
    }
}

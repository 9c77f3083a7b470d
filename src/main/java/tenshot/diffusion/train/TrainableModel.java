package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.schedulers.NoiseSchedule;

/**
 * What a DreamBooth run needs from a loaded base model: frozen encoders, the UNet's prediction, LoRA
 * adapters to attach and save, and plain generation for class images and previews. Frozen weights are
 * in the device dtype; adapters are fp32.
 */
public interface TrainableModel extends AutoCloseable {

    EngineDevice device();

    /** The manager that owns the model; training state is created in sub-managers of it. */
    NDManager manager();

    NoiseSchedule schedule();

    /** The image size the UNet was trained at ({@code sample_size * 8}). */
    int defaultSize();

    /** The VAE config's {@code scaling_factor}. */
    double latentScalingFactor();

    /**
     * The VAE posterior of images in [-1, 1] ({@code [B, 3, H, W]}, fp32) as {@code {mean, logvar}},
     * fp32 {@code [B, 4, H/8, W/8]}, unscaled.
     */
    NDArray[] encodeLatentDistribution(NDArray images);

    /**
     * Prompt embeddings ({@code last_hidden_state}, {@code [B, 77, D]}) in the device dtype. With a
     * text-encoder LoRA attached and grad mode on, the result is differentiable in the adapters.
     */
    NDArray encodePrompts(List<String> prompts);

    /** The UNet's prediction for noisy latents in the device dtype, one timestep per row. */
    NDArray predict(NDArray noisyLatents, long[] timesteps, NDArray encoderHiddenStates);

    /** The trainable tensors of attached adapters, by peft name, per component. */
    record AdapterParameters(Map<String, NDArray> unet, Map<String, NDArray> textEncoder) {}

    /**
     * Attaches fresh LoRA adapters for {@code styles} styles, each with peft's initialisation from
     * {@code seed} (A Kaiming-uniform, B zero; with {@code dora}, a magnitude per output row starting at
     * the weight's row norm, on the UNet adapters), to the UNet modules whose names end in one of
     * {@code targets} and, when {@code textRank > 0} (one style only), to the text encoder's q/k/v/out
     * projections. The trainable fp32 tensors require gradients; UNet names are peft's
     * ({@code <module>.lora_A.default.weight}), text-encoder names start with {@code text_encoder.}.
     * Returns each style's tensors, in style order.
     */
    List<AdapterParameters> attachLora(int styles, int rank, double alpha, boolean dora, List<String> targets, int textRank,
            double textAlpha, long seed);

    /**
     * With several styles attached: the tensors that take the gradients, each adapter tensor of every
     * style stacked on a leading style axis ({@code [styles, ...]}), under a style's own names. A style's
     * tensors returned by {@link #attachLora} are then views of its slice.
     */
    Map<String, NDArray> styleStacks();

    /** With several styles attached: batch row {@code n} of the next predictions uses style {@code rowStyles[n]}. */
    void routeRows(int[] rowStyles);

    /** With several styles attached: every row of the next predictions and generations uses {@code style}. */
    void useStyle(int style);

    /** Turns the attached adapters on or off (off: the base model, for class images). */
    void setAdaptersEnabled(boolean enabled);

    /**
     * Writes style {@code style}'s adapters as {@code pytorch_lora_weights.safetensors} in the key format
     * diffusers' {@code load_lora_weights} reads, with {@code metadata} in the header.
     */
    void saveLora(int style, Path file, Map<String, String> metadata) throws IOException;

    /** One txt2img image (DDIM, classifier-free guidance, negative prompt ""), with whatever adapters are enabled. */
    default BufferedImage generate(String prompt, long seed, int steps, double guidanceScale, int size, StepListener listener) {
        return generate(List.of(prompt), new long[] {seed}, steps, guidanceScale, size, listener).get(0);
    }

    /** Several txt2img images in one denoising loop, each with its own seed (what it would be alone). */
    List<BufferedImage> generate(List<String> prompts, long[] seeds, int steps, double guidanceScale, int size, StepListener listener);

    @Override
    void close();
}

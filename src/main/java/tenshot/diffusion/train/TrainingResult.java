package tenshot.diffusion.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What a finished training run left behind.
 *
 * @param loraFile {@code pytorch_lora_weights.safetensors} in diffusers' format
 * @param samples preview images written during and after the run
 * @param checkpoint the last checkpoint (resumable), or null when none was written
 * @param steps optimizer steps taken in total (including resumed ones)
 * @param resumedFrom the step the run resumed at, 0 for a fresh run
 * @param finalLoss the loss of the last step
 */
public record TrainingResult(Path loraFile, List<Path> samples, Path checkpoint, long steps, long resumedFrom, double finalLoss) {}

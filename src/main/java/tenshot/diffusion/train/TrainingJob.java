package tenshot.diffusion.train;

import java.nio.file.Path;
import tenshot.diffusion.EngineDevice;

/**
 * One training run as a caller (the CLI or the studio's job queue) describes it.
 *
 * @param modelDir a diffusers-format Stable Diffusion 2.1 folder
 * @param modelId a stable name of the base model, used in class-image cache keys and file metadata
 * @param styleDir a style set: {@code images/} and an optional {@code prompt.json}
 * @param styleId the style token's id, e.g. {@code 00} for {@code style_00}
 * @param recipe what to train
 * @param outputDir where {@code pytorch_lora_weights.safetensors}, {@code samples/} and {@code recipe.json} go
 * @param checkpointDir where resumable checkpoints go (resumed from when {@code resume} is set)
 * @param classImageDir the class-image cache, shared between runs of the same base model
 * @param device cpu (fp32) or cuda (fp16 frozen weights, fp32 LoRA and optimizer)
 * @param resume continue from the latest checkpoint in {@code checkpointDir} when there is one
 */
public record TrainingJob(
        Path modelDir,
        String modelId,
        Path styleDir,
        String styleId,
        TrainingRecipe recipe,
        Path outputDir,
        Path checkpointDir,
        Path classImageDir,
        EngineDevice device,
        boolean resume) {

    public TrainingJob {
        if (modelDir == null) throw new IllegalArgumentException("training job needs a model folder");
        if (styleDir == null) throw new IllegalArgumentException("training job needs a style set folder");
        if (styleId == null || !styleId.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("style id must be 1-32 letters, digits, '-' or '_', was '" + styleId + "'");
        }
        if (recipe == null) throw new IllegalArgumentException("training job needs a recipe");
        if (outputDir == null) throw new IllegalArgumentException("training job needs an output folder");
        if (modelId == null || modelId.isBlank()) modelId = modelDir.toAbsolutePath().normalize().toString();
        if (checkpointDir == null) checkpointDir = outputDir.resolve("checkpoints");
        if (classImageDir == null) classImageDir = outputDir.resolve("class-images");
        if (device == null) device = EngineDevice.cpu();
    }

    /** A job with the default checkpoint and class-image folders inside {@code outputDir}, on the CPU. */
    public static TrainingJob of(Path modelDir, Path styleDir, String styleId, TrainingRecipe recipe, Path outputDir) {
        return new TrainingJob(modelDir, null, styleDir, styleId, recipe, outputDir, null, null, EngineDevice.cpu(), false);
    }

    public TrainingJob resuming() {
        return new TrainingJob(modelDir, modelId, styleDir, styleId, recipe, outputDir, checkpointDir, classImageDir, device, true);
    }

    public Path loraFile() {
        return outputDir.resolve("pytorch_lora_weights.safetensors");
    }

    public Path samplesDir() {
        return outputDir.resolve("samples");
    }
}

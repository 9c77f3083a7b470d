package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The UNet as the pipeline drives it: latents {@code [B, 4, h, w]} in the engine dtype, a 0-d
 * timestep tensor and the prompt embeddings {@code [B, 77, D]}, to the prediction of the same shape.
 */
@FunctionalInterface
public interface NoisePredictor {
    NDArray predict(NDArray latents, NDArray timestep, NDArray encoderHiddenStates);
}

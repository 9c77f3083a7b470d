package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;

/** The text encoder as the pipeline uses it: token ids {@code [B, 77]} to {@code last_hidden_state}. */
@FunctionalInterface
public interface PromptEncoder {
    NDArray encode(NDArray inputIds);
}

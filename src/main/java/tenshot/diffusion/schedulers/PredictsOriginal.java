package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * A scheduler that gives diffusers' {@code pred_original_sample}: the clean latent x̂0 its step
 * {@code index} implies for {@code sample} and the model output. Plain elementwise arithmetic, so it
 * keeps the autograd graph of {@code sample} in grad mode.
 */
public interface PredictsOriginal {

    NDArray predictOriginal(NDArray modelOutput, int index, NDArray sample);
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * Something that changes what a {@link Linear} computes without touching its frozen weight: LoRA adds a
 * low-rank term to the output, DoRA would rescale it. Adapters are applied in the order they were
 * added, each seeing the output of the previous one.
 */
public interface LinearAdapter {

    /** The adapted output, given the layer, its input and its output so far. */
    NDArray adapt(Linear base, NDArray input, NDArray output);
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.weights.Weights;

/** GEGLU (diffusers {@code GEGLU}): one projection to twice the width, {@code hidden · gelu(gate)}. */
public final class Geglu {

    private final Linear proj;

    /** {@code weights} is the view of {@code ff.net.0}; the projection lives under {@code proj}. */
    public Geglu(Weights weights, int dimIn, int dimOut) {
        this.proj = new Linear(weights.sub("proj"), dimIn, dimOut * 2, true);
    }

    public NDArray forward(NDArray x) {
        return TorchKernels.geglu(proj.forward(x));
    }

    public Linear proj() {
        return proj;
    }
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import tenshot.diffusion.weights.Weights;

/** GEGLU (diffusers {@code GEGLU}): one projection to twice the width, {@code hidden · gelu(gate)}. */
public final class Geglu {

    private final Linear proj;

    /** {@code weights} is the view of {@code ff.net.0}; the projection lives under {@code proj}. */
    public Geglu(Weights weights, int dimIn, int dimOut) {
        this.proj = new Linear(weights.sub("proj"), dimIn, dimOut * 2, true);
    }

    public NDArray forward(NDArray x) {
        NDArray projected = proj.forward(x);
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        NDArray hidden = halves.get(0);
        NDArray gate = halves.get(1);
        return hidden.mul(Activations.gelu(gate));
    }

    public Linear proj() {
        return proj;
    }
}

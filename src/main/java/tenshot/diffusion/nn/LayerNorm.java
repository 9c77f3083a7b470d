package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.weights.Weights;

/** Layer normalisation over the last axis with a learned scale and shift (torch.nn.LayerNorm). */
public final class LayerNorm {

    private final Shape normalized;
    private final NDArray weight;
    private final NDArray bias;
    private final double eps;

    public LayerNorm(Weights weights, int dim, double eps) {
        this.normalized = new Shape(dim);
        this.weight = weights.get("weight", normalized);
        this.bias = weights.get("bias", normalized);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return JniUtils.layerNorm((PtNDArray) x, normalized, (PtNDArray) weight, (PtNDArray) bias, eps);
    }
}

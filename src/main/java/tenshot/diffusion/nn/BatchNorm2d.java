package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.weights.Weights;

/** Eval-mode torch.nn.BatchNorm2d with its running statistics ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}). */
public final class BatchNorm2d {
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray mean;
    private final NDArray var;
    private final double eps;

    public BatchNorm2d(Weights w, int channels, double eps) {
        Shape s = new Shape(channels);
        this.weight = w.get("weight", s);
        this.bias = w.get("bias", s);
        this.mean = w.get("running_mean", s);
        this.var = w.get("running_var", s);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return JniUtils.batchNorm((PtNDArray) x, (PtNDArray) mean, (PtNDArray) var, (PtNDArray) weight,
                (PtNDArray) bias, false, 0.1, eps);
    }
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.weights.Weights;

/** A 2-D convolution with square kernel, stride and symmetric zero padding (torch.nn.Conv2d). */
public final class Conv2d {

    private static final Shape ONE = new Shape(1, 1);

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(Weights weights, int inChannels, int outChannels, int kernel, int stride, int padding) {
        this.weight = weights.get("weight", new Shape(outChannels, inChannels, kernel, kernel));
        this.bias = weights.get("bias", new Shape(outChannels));
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    public NDArray forward(NDArray x) {
        return JniUtils.convolution((PtNDArray) x, (PtNDArray) weight, (PtNDArray) bias, stride, padding, ONE, 1);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}

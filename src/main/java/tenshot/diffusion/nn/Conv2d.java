package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.weights.Weights;

/** A 2-D convolution with square kernel, stride and symmetric zero padding (torch.nn.Conv2d). */
public final class Conv2d {

    private final NDArray weight;
    private final NDArray bias;
    private final int stride;
    private final int padding;

    public Conv2d(Weights weights, int inChannels, int outChannels, int kernel, int stride, int padding) {
        this.weight = weights.get("weight", new Shape(outChannels, inChannels, kernel, kernel));
        this.bias = weights.get("bias", new Shape(outChannels));
        this.stride = stride;
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        return TorchKernels.conv2d(x, weight, bias, stride, padding);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.weights.Weights;

/** diffusers {@code Upsample2D} with a conv: nearest-neighbour upsampling then a 3x3 convolution. */
public final class Upsample2D {

    private final Conv2d conv;

    public Upsample2D(Weights weights, int channels) {
        this.conv = new Conv2d(weights.sub("conv"), channels, channels, 3, 1, 1);
    }

    /** Doubles the spatial size. */
    public NDArray forward(NDArray x) {
        return Scoped.run(() -> conv.forward(Resample.nearest2x(x)));
    }

    /** Upsamples to {@code height x width} (odd sizes, where a skip connection is not exactly twice as large). */
    public NDArray forward(NDArray x, long height, long width) {
        return Scoped.run(() -> conv.forward(Resample.nearest(x, height, width)));
    }
}

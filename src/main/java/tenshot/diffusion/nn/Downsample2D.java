package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code Downsample2D} with a conv: a 3x3 stride-2 convolution. With padding 0 (the VAE
 * encoder) the input is first padded by one on the right and bottom only, as diffusers does.
 */
public final class Downsample2D {

    private static final Shape RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private final Conv2d conv;
    private final boolean asymmetricPad;

    public Downsample2D(Weights weights, int channels, int padding) {
        this.conv = new Conv2d(weights.sub("conv"), channels, channels, 3, 2, padding);
        this.asymmetricPad = padding == 0;
    }

    public NDArray forward(NDArray x) {
        return Scoped.run(() -> conv.forward(asymmetricPad ? x.pad(RIGHT_BOTTOM, 0) : x));
    }
}

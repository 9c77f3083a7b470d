package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Spatial resampling of {@code [N, C, H, W]} tensors. */
public final class Resample {

    private Resample() {}

    /** Nearest-neighbour upsampling by two (torch {@code interpolate(scale_factor=2, mode="nearest")}). */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        return x.reshape(n, c, h, 1, w, 1).broadcast(n, c, h, 2, w, 2).reshape(n, c, h * 2, w * 2);
    }
}

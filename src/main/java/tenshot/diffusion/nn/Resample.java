package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Spatial resampling of {@code [N, C, H, W]} tensors. */
public final class Resample {

    private Resample() {}

    /** Nearest-neighbour upsampling by two (torch {@code interpolate(scale_factor=2, mode="nearest")}). */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        return x.reshape(n, c, h, 1, w, 1).broadcast(n, c, h, 2, w, 2).reshape(n, c, h * 2, w * 2);
    }

    /** Nearest-neighbour resize to {@code height x width} (torch {@code interpolate(size=..., mode="nearest")}). */
    public static NDArray nearest(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (height == s.get(2) * 2 && width == s.get(3) * 2) return nearest2x(x);
        return JniUtils.interpolate((PtNDArray) x, new long[] {height, width}, 0, false);
    }
}

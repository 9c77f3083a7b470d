package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Square 2-D pooling over {@code [N, C, H, W]}, as torch.nn.functional computes it. */
public final class Pooling {

    private Pooling() {}

    public static NDArray max(NDArray x, int kernel, int stride, int padding, boolean ceil) {
        return JniUtils.maxPool((PtNDArray) x, new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), ceil);
    }

    /** Average pooling without padding (padding would be counted, as torch's default does). */
    public static NDArray average(NDArray x, int kernel, int stride) {
        return JniUtils.avgPool((PtNDArray) x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0),
                false, true);
    }
}

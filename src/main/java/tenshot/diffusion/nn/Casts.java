package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Dtype casts that keep the autograd graph. DJL's {@code toType} runs without grad, so a cast inside a
 * training forward would cut the gradient; in grad mode the cast is PyTorch's own differentiable
 * {@code to} ({@link TorchKernels#cast}). Outside grad mode (inference) the plain cast is used.
 */
public final class Casts {

    private Casts() {}

    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) return x;
        return JniUtils.isGradMode() ? TorchKernels.cast(x, type) : x.toType(type, false);
    }
}

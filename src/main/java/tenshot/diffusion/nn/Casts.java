package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Dtype casts that keep the autograd graph. DJL's {@code toType} runs without grad, so a cast inside a
 * training forward would cut the gradient: in grad mode the cast goes through
 * type promotion (upcast: add a one-element zero vector of the wider type) or a cumulative product with
 * an output dtype over a length-one axis (any cast). Outside grad mode (inference) the plain cast is
 * used. (JniUtils.requiresGrad reports false for non-leaf tensors, so it cannot decide this.)
 */
public final class Casts {

    private Casts() {}

    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) return x;
        if (!JniUtils.isGradMode()) return x.toType(type, false);
        if (widens(x.getDataType(), type)) return x.add(Constants.zeroVector(x.getDevice(), type));
        return x.expandDims(-1).cumProd(-1, type).squeeze(-1);
    }

    private static boolean widens(DataType from, DataType to) {
        return (from == DataType.FLOAT16 && (to == DataType.FLOAT32 || to == DataType.FLOAT64))
                || (from == DataType.FLOAT32 && to == DataType.FLOAT64);
    }
}

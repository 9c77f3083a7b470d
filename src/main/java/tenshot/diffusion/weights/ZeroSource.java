package tenshot.diffusion.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Zero tensors of the requested shape, each a broadcast view of a single element. */
final class ZeroSource extends GeneratedSource {

    @Override
    public NDArray load(String key, Shape expected, DataType floatType, NDManager manager) {
        if (expected == null) throw new WeightsException("zero weights need the shape of '" + key + "' from the model");
        NDArray one = manager.zeros(new Shape(1), floatType == null ? DataType.FLOAT32 : floatType);
        long[] ones = new long[expected.dimension()];
        java.util.Arrays.fill(ones, 1);
        NDArray view = one.reshape(new Shape(ones)).broadcast(expected);
        one.close();
        return view;
    }

    @Override
    public String describe(String key) {
        return "'" + key + "' (zeros)";
    }

    @Override
    public String toString() {
        return "zeros";
    }
}

package tenshot.diffusion.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded random tensors shaped by what the module asks for. Each key gets its own stream derived from
 * the seed and the key, so the values do not depend on the order modules are built in.
 *
 * <p>Initialisation follows torch's defaults closely enough for sane activations: matrices and conv
 * kernels are uniform in +-1/sqrt(fan_in), one-dimensional {@code weight}s (norm scales) are ones,
 * biases are zeros.
 */
final class RandomSource extends GeneratedSource {

    private final long seed;

    RandomSource(long seed) {
        this.seed = seed;
    }

    @Override
    public NDArray load(String key, Shape expected, DataType floatType, NDManager manager) {
        if (expected == null) {
            throw new WeightsException("random weights need the shape of '" + key + "' from the model");
        }
        int count = Math.toIntExact(expected.size());
        ByteBuffer buffer = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        boolean isBias = key.endsWith("bias");
        if (expected.dimension() >= 2) {
            long fanIn = expected.size() / expected.get(0);
            float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
            SplittableRandom random = new SplittableRandom(seed ^ hash(key));
            for (int i = 0; i < count; i++) {
                buffer.putFloat(i * 4, (float) ((random.nextDouble() * 2 - 1) * bound));
            }
        } else if (!isBias) {
            for (int i = 0; i < count; i++) buffer.putFloat(i * 4, 1f);
        }
        NDArray array = manager.create(buffer, expected, DataType.FLOAT32);
        if (floatType != null && floatType != DataType.FLOAT32) {
            NDArray converted = array.toType(floatType, false);
            array.close();
            return converted;
        }
        return array;
    }

    private static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String describe(String key) {
        return "'" + key + "' (random, seed " + seed + ")";
    }

    @Override
    public String toString() {
        return "random(seed " + seed + ")";
    }
}

package tenshot.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Gaussian noise drawn on the host from a seed, so the same seed gives the same latents on every
 * device and in every batch composition. Each image of a batch gets its own seed.
 */
public final class SeededNoise {

    private SeededNoise() {}

    /** Standard normal samples for one seed, as a float array of {@code count} values. */
    public static float[] normal(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[count];
        for (int i = 0; i < count; i += 2) {
            // Box-Muller: two independent normals from two uniforms in (0, 1].
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double radius = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = (float) (radius * Math.cos(2 * Math.PI * u2));
            if (i + 1 < count) out[i + 1] = (float) (radius * Math.sin(2 * Math.PI * u2));
        }
        return out;
    }

    /** A {@code [seeds.length, ...perItem]} fp32 tensor, item {@code i} drawn from {@code seeds[i]}. */
    public static NDArray normal(NDManager manager, long[] seeds, Shape perItem) {
        int size = Math.toIntExact(perItem.size());
        float[] all = new float[size * seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(normal(seeds[i], size), 0, all, i * size, size);
        }
        long[] dims = new long[perItem.dimension() + 1];
        dims[0] = seeds.length;
        System.arraycopy(perItem.getShape(), 0, dims, 1, perItem.dimension());
        return manager.create(all, new Shape(dims));
    }
}

package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code Timesteps} + {@code TimestepEmbedding}: the sinusoidal projection of the timestep
 * ({@code exp(-ln(10000)·i/(half - shift))} frequencies, cos first when {@code flip_sin_to_cos}) followed
 * by linear, SiLU, linear.
 */
final class TimestepEmbedding {

    private final NDArray frequencies;
    private final boolean flipSinToCos;
    private final Linear linear1;
    private final Linear linear2;

    TimestepEmbedding(Weights weights, UNetConfig config) {
        int dim = config.blockOutChannels().get(0);
        if (dim % 2 != 0) throw new IllegalArgumentException("UNet timestep embedding width " + dim + " must be even");
        int half = dim / 2;
        float[] freqs = new float[half];
        // fp32 arithmetic in diffusers' order, so the angles of large timesteps match to the last bit.
        float logMaxPeriod = (float) -Math.log(10000);
        for (int i = 0; i < half; i++) {
            float exponent = logMaxPeriod * i / (float) (half - config.freqShift());
            freqs[i] = (float) Math.exp(exponent);
        }
        this.frequencies = Weights.persistent(weights.manager().create(freqs, new Shape(1, half)));
        this.flipSinToCos = config.flipSinToCos();
        this.linear1 = new Linear(weights.sub("linear_1"), dim, config.timeEmbedDim(), true);
        this.linear2 = new Linear(weights.sub("linear_2"), config.timeEmbedDim(), config.timeEmbedDim(), true);
    }

    /** {@code timesteps [B]} (any numeric type) to {@code [B, time_embed_dim]} in {@code type}. */
    NDArray forward(NDArray timesteps, DataType type) {
        NDArray t = timesteps.toDevice(frequencies.getDevice(), false).toType(DataType.FLOAT32, false).reshape(-1, 1);
        NDArray angles = t.mul(frequencies);
        NDList parts = flipSinToCos ? new NDList(angles.cos(), angles.sin()) : new NDList(angles.sin(), angles.cos());
        NDArray projected = NDArrays.concat(parts, 1).toType(type, false);
        return linear2.forward(Activations.silu(linear1.forward(projected)));
    }
}

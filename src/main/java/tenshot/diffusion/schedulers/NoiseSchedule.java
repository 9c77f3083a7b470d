package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The DDPM forward process of a scheduler config: betas, {@code alphas_cumprod}, and what training
 * needs from it ({@code add_noise}, {@code get_velocity}, the prediction target). Host-side and
 * immutable, so one instance serves every generation and training step of a model.
 */
public final class NoiseSchedule {

    private final SchedulerConfig config;
    private final double[] alphasCumprod;

    public NoiseSchedule(SchedulerConfig config) {
        this.config = config;
        float[] betas = betas(config);
        // diffusers holds betas and alphas in fp32 and torch.cumprod accumulates fp32 in double on the
        // CPU; mirroring that keeps the schedule bit-equal to the reference rather than merely close.
        alphasCumprod = new double[betas.length];
        double product = 1.0;
        for (int i = 0; i < betas.length; i++) {
            product *= (float) (1.0f - betas[i]);
            alphasCumprod[i] = (float) product;
        }
    }

    public SchedulerConfig config() {
        return config;
    }

    public int numTrainTimesteps() {
        return alphasCumprod.length;
    }

    public PredictionType predictionType() {
        return config.predictionType();
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public double alphaCumprod(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (alphasCumprod.length - 1));
        }
        return alphasCumprod[t];
    }

    /** {@code alphas_cumprod} of the step before the first, as DDIM and PNDM read it. */
    double finalAlphaCumprod() {
        return config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
    }

    /** The Karras/EDM noise level {@code sqrt((1 - a) / a)} of training timestep t. */
    double sigma(int t) {
        float a = (float) alphaCumprod(t);
        return (float) Math.sqrt((1f - a) / a);
    }

    /** {@code sqrt(a_t) * original + sqrt(1 - a_t) * noise}, one training timestep per batch item. */
    public NDArray addNoise(NDArray original, NDArray noise, long[] timesteps) {
        NDArray[] c = perItem(original, timesteps, t -> Math.sqrt(alphaCumprod(t)), t -> Math.sqrt(1 - alphaCumprod(t)));
        try {
            return original.mul(c[0]).addi(noise.mul(c[1]));
        } finally {
            c[0].close();
            c[1].close();
        }
    }

    /** {@code sqrt(a_t) * noise - sqrt(1 - a_t) * sample}, the v-prediction target. */
    public NDArray velocity(NDArray sample, NDArray noise, long[] timesteps) {
        NDArray[] c = perItem(sample, timesteps, t -> Math.sqrt(alphaCumprod(t)), t -> Math.sqrt(1 - alphaCumprod(t)));
        try {
            return noise.mul(c[0]).subi(sample.mul(c[1]));
        } finally {
            c[0].close();
            c[1].close();
        }
    }

    /** What the UNet is trained to predict: the noise (epsilon) or the velocity (v_prediction). */
    public NDArray trainingTarget(NDArray latents, NDArray noise, long[] timesteps) {
        return config.predictionType() == PredictionType.EPSILON ? noise.duplicate() : velocity(latents, noise, timesteps);
    }

    private NDArray[] perItem(NDArray like, long[] timesteps, java.util.function.IntToDoubleFunction a,
            java.util.function.IntToDoubleFunction b) {
        long batch = like.getShape().get(0);
        if (timesteps.length != batch) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + batch);
        }
        float[] first = new float[timesteps.length];
        float[] second = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            first[i] = (float) a.applyAsDouble(Math.toIntExact(timesteps[i]));
            second[i] = (float) b.applyAsDouble(Math.toIntExact(timesteps[i]));
        }
        long[] dims = new long[like.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = batch;
        NDManager manager = like.getManager();
        DataType type = like.getDataType();
        return new NDArray[] {
            manager.create(first, new Shape(dims)).toDevice(like.getDevice(), false).toType(type, false),
            manager.create(second, new Shape(dims)).toDevice(like.getDevice(), false).toType(type, false)
        };
    }

    private static float[] betas(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] betas = new float[n];
        if (config.trainedBetas() != null) {
            if (config.trainedBetas().length != n) {
                throw new IllegalArgumentException("trained_betas has " + config.trainedBetas().length
                        + " values but num_train_timesteps is " + n);
            }
            for (int i = 0; i < n; i++) betas[i] = (float) config.trainedBetas()[i];
            return betas;
        }
        switch (config.betaSchedule()) {
            case "linear" -> {
                float[] line = linspace((float) config.betaStart(), (float) config.betaEnd(), n);
                System.arraycopy(line, 0, betas, 0, n);
            }
            case "scaled_linear" -> {
                float[] line = linspace((float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), n);
                for (int i = 0; i < n; i++) betas[i] = line[i] * line[i];
            }
            case "squaredcos_cap_v2" -> {
                for (int i = 0; i < n; i++) {
                    betas[i] = (float) Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
                }
            }
            default -> throw new IllegalArgumentException("beta_schedule '" + config.betaSchedule()
                    + "' is not supported: use linear, scaled_linear or squaredcos_cap_v2");
        }
        return betas;
    }

    /** torch.linspace in fp32: the first half counts up from start, the second half down from end. */
    private static float[] linspace(float start, float end, int n) {
        float step = (end - start) / (n - 1);
        float[] out = new float[n];
        int halfway = n / 2;
        for (int i = 0; i < n; i++) out[i] = i < halfway ? start + step * i : end - step * (n - i - 1);
        return out;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}

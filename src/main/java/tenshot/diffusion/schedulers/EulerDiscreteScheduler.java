package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' EulerDiscreteScheduler (no churn): sigmas interpolated at the timesteps, a final sigma
 * of zero, the model input divided by {@code sqrt(sigma^2 + 1)}, and one Euler step of the
 * probability-flow ODE in sigma per timestep.
 */
final class EulerDiscreteScheduler extends Scheduler {

    private final double[] sigmas;
    private final ScalarTable inputScale;
    private final ScalarTable coefficients;

    EulerDiscreteScheduler(NoiseSchedule schedule, int steps, NDManager parent) {
        super(schedule, floatTimesteps(schedule.config(), steps), steps, parent);
        sigmas = new double[size() + 1];
        for (int i = 0; i < size(); i++) sigmas[i] = (float) interpolatedSigma(schedule, timestep(i));
        sigmas[size()] = schedule.config().finalSigmaZero() ? 0.0 : schedule.sigma(0);
        double[][] scale = new double[size()][];
        double[][] table = new double[size()][];
        for (int i = 0; i < size(); i++) {
            double s = sigmas[i];
            double dt = sigmas[i + 1] - s;
            scale[i] = new double[] {1 / Math.sqrt(s * s + 1), s};
            if (schedule.predictionType() == PredictionType.EPSILON) {
                // x0 = x - s * eps, derivative = eps
                table[i] = new double[] {1, dt};
            } else {
                // x0 = -s / sqrt(s^2 + 1) * v + x / (s^2 + 1), derivative = (x - x0) / s
                table[i] = new double[] {1 + dt * s / (s * s + 1), dt / Math.sqrt(s * s + 1)};
            }
        }
        inputScale = new ScalarTable(manager, scale);
        coefficients = new ScalarTable(manager, table);
    }

    private static double[] floatTimesteps(SchedulerConfig config, int steps) {
        double[] t = spacedTimesteps(config, steps, false);
        for (int i = 0; i < t.length; i++) t[i] = (float) t[i];
        return t;
    }

    /** np.interp of the training sigmas at a (possibly fractional) timestep. */
    static double interpolatedSigma(NoiseSchedule schedule, double t) {
        int last = schedule.numTrainTimesteps() - 1;
        if (t <= 0) return schedule.sigma(0);
        if (t >= last) return schedule.sigma(last);
        int low = (int) Math.floor(t);
        double w = t - low;
        double a = schedule.sigma(low);
        return w == 0 ? a : a + (schedule.sigma(low + 1) - a) * w;
    }

    @Override
    public double initNoiseSigma() {
        double max = 0;
        for (double s : sigmas) max = Math.max(max, s);
        TimestepSpacing spacing = schedule.config().timestepSpacing();
        return spacing == TimestepSpacing.LEADING ? Math.sqrt(max * max + 1) : max;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int index) {
        return sample.mul(inputScale.get(index, 0));
    }

    @Override
    protected NDArray doStep(NDArray modelOutput, int index, NDArray sample) {
        return sample.mul(coefficients.get(index, 0)).addi(modelOutput.mul(coefficients.get(index, 1)));
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return original.add(noise.mul(inputScale.get(index, 1)));
    }
}

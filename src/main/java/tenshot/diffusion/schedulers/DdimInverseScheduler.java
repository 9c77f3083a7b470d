package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' {@code DDIMInverseScheduler}: DDIM run backwards, from clean latents towards noise, so that
 * sampling with {@link DdimScheduler} over the same timesteps returns (approximately) the latents it
 * started from. The timesteps are DDIM's in ascending order; step {@code i} moves the sample from the
 * noise level one stride below {@code timestep(i)} (the scheduler's initial alpha at the first step) up
 * to {@code timestep(i)}, evaluating the model at {@code timestep(i)} on the current sample.
 */
public final class DdimInverseScheduler implements AutoCloseable {

    private final double[] timesteps;
    private final NDManager manager;
    private final ScalarTable coefficients;

    public DdimInverseScheduler(NoiseSchedule schedule, int steps, NDManager parent) {
        SchedulerConfig config = schedule.config();
        if (steps < 1 || steps > schedule.numTrainTimesteps()) {
            throw new IllegalArgumentException("inversion steps must be in 1.." + schedule.numTrainTimesteps() + ", got " + steps);
        }
        if (config.timestepSpacing() == TimestepSpacing.LINSPACE) {
            throw new IllegalArgumentException("DDIM inversion supports the leading and trailing timestep spacings, not linspace"
                    + " (diffusers' DDIMInverseScheduler has no linspace either)");
        }
        double[] descending = Scheduler.spacedTimesteps(config, steps, true);
        timesteps = new double[steps];
        for (int i = 0; i < steps; i++) timesteps[i] = descending[steps - 1 - i];
        int stride = schedule.numTrainTimesteps() / steps;
        double[][] table = new double[steps][];
        for (int i = 0; i < steps; i++) {
            int to = (int) timesteps[i];
            int from = Math.min(to - stride, schedule.numTrainTimesteps() - 1);
            double aFrom = from >= 0 ? schedule.alphaCumprod(from) : schedule.finalAlphaCumprod();
            table[i] = DdimScheduler.linearStep(schedule.predictionType(), aFrom, schedule.alphaCumprod(to));
        }
        manager = parent.newSubManager();
        coefficients = new ScalarTable(manager, table);
    }

    /** The timesteps the model sees, ascending. */
    public double[] timesteps() {
        return timesteps.clone();
    }

    public double timestep(int index) {
        return timesteps[index];
    }

    public int size() {
        return timesteps.length;
    }

    /** The sample one step noisier, from the model's output at {@code timestep(index)} on {@code sample}. */
    public NDArray step(NDArray modelOutput, int index, NDArray sample) {
        if (index < 0 || index >= timesteps.length) {
            throw new IllegalArgumentException("inversion step index " + index + " is outside 0.." + (timesteps.length - 1));
        }
        return sample.mul(coefficients.get(index, 0)).addi(modelOutput.mul(coefficients.get(index, 1)));
    }

    @Override
    public void close() {
        manager.close();
    }
}

package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' DDIMScheduler with eta 0. Each step is linear in the sample and the model output:
 * {@code prev = sqrt(a_prev) * x0 + sqrt(1 - a_prev) * eps}, with x0 and eps recovered from the
 * epsilon or v prediction, folded here into two coefficients per step.
 */
final class DdimScheduler extends Scheduler implements PredictsOriginal {

    private final ScalarTable coefficients;
    private final ScalarTable noising;
    private final ScalarTable original;

    DdimScheduler(NoiseSchedule schedule, int steps, NDManager parent) {
        super(schedule, spacedTimesteps(schedule.config(), steps, true), steps, parent);
        int stride = schedule.numTrainTimesteps() / steps;
        double[][] table = new double[size()][];
        double[][] noise = new double[size()][];
        double[][] clean = new double[size()][];
        for (int i = 0; i < size(); i++) {
            int t = (int) timestep(i);
            int prev = t - stride;
            double a = schedule.alphaCumprod(t);
            double aPrev = prev >= 0 ? schedule.alphaCumprod(prev) : schedule.finalAlphaCumprod();
            table[i] = linearStep(schedule.predictionType(), a, aPrev);
            noise[i] = new double[] {Math.sqrt(a), Math.sqrt(1 - a)};
            clean[i] = originalStep(schedule.predictionType(), a);
        }
        coefficients = new ScalarTable(manager, table);
        noising = new ScalarTable(manager, noise);
        original = new ScalarTable(manager, clean);
    }

    /** {sample coefficient, model-output coefficient} of a DDIM step from alpha_cumprod a to aPrev. */
    static double[] linearStep(PredictionType type, double a, double aPrev) {
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(1 - a);
        double sap = Math.sqrt(aPrev);
        double sbp = Math.sqrt(1 - aPrev);
        if (type == PredictionType.EPSILON) {
            // x0 = (x - sb * eps) / sa
            return new double[] {sap / sa, sbp - sap * sb / sa};
        }
        // x0 = sa * x - sb * v,  eps = sa * v + sb * x
        return new double[] {sap * sa + sbp * sb, sbp * sa - sap * sb};
    }

    /** {sample coefficient, model-output coefficient} of x0 at alpha_cumprod a. */
    static double[] originalStep(PredictionType type, double a) {
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(1 - a);
        return type == PredictionType.EPSILON ? new double[] {1 / sa, -sb / sa} : new double[] {sa, -sb};
    }

    @Override
    public NDArray predictOriginal(NDArray modelOutput, int index, NDArray sample) {
        return sample.mul(original.get(index, 0)).add(modelOutput.mul(original.get(index, 1)));
    }

    @Override
    protected NDArray doStep(NDArray modelOutput, int index, NDArray sample) {
        return sample.mul(coefficients.get(index, 0)).addi(modelOutput.mul(coefficients.get(index, 1)));
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return original.mul(noising.get(index, 0)).addi(noise.mul(noising.get(index, 1)));
    }
}

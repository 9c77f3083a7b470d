package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' DPMSolverMultistepScheduler as DPM-Solver++ 2M (solver order 2, data prediction), with
 * plain or Karras sigmas. Each step converts the model output to a data prediction x0 and updates
 * the sample with the current and previous x0; the first step of a run, and the last when
 * {@code lower_order_final} applies, are first order.
 */
final class DpmSolverMultistepScheduler extends Scheduler {

    private static final int X0_SAMPLE = 0;
    private static final int X0_OUTPUT = 1;
    private static final int FIRST_SAMPLE = 2;
    private static final int FIRST_X0 = 3;
    private static final int SECOND_SAMPLE = 4;
    private static final int SECOND_X0 = 5;
    private static final int SECOND_PREVIOUS_X0 = 6;
    private static final int NOISE_ORIGINAL = 7;
    private static final int NOISE_NOISE = 8;

    private final double[] sigmas;
    private final boolean[] firstOrderOnly;
    private final ScalarTable coefficients;
    private NDArray previousX0;

    DpmSolverMultistepScheduler(NoiseSchedule schedule, int steps, boolean karras, NDManager parent) {
        this(schedule, steps, karras, karras ? karrasSigmas(schedule, steps) : null, parent);
    }

    private DpmSolverMultistepScheduler(NoiseSchedule schedule, int steps, boolean karras, double[] karrasSigmas,
            NDManager parent) {
        super(schedule, karras ? karrasTimesteps(schedule, karrasSigmas) : timesteps(schedule.config(), steps), steps, parent);
        SchedulerConfig config = schedule.config();
        int n = size();
        sigmas = new double[n + 1];
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) (karras ? karrasSigmas[i] : EulerDiscreteScheduler.interpolatedSigma(schedule, timestep(i)));
        }
        sigmas[n] = config.finalSigmaZero() ? 0.0 : schedule.sigma(0);
        firstOrderOnly = new boolean[n];
        double[][] table = new double[n][];
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            firstOrderOnly[i] = last && (config.eulerAtFinal() || (config.lowerOrderFinal() && n < 15) || config.finalSigmaZero());
            double[] row = new double[9];
            double alphaS = alpha(sigmas[i]);
            double sigmaS = sigmas[i] * alphaS;
            row[NOISE_ORIGINAL] = alphaS;
            row[NOISE_NOISE] = sigmaS;
            if (config.predictionType() == PredictionType.EPSILON) {
                row[X0_SAMPLE] = 1 / alphaS;
                row[X0_OUTPUT] = -sigmaS / alphaS;
            } else {
                row[X0_SAMPLE] = alphaS;
                row[X0_OUTPUT] = -sigmaS;
            }
            double alphaT = alpha(sigmas[i + 1]);
            double sigmaT = sigmas[i + 1] * alphaT;
            double h = lambda(alphaT, sigmaT) - lambda(alphaS, sigmaS);
            double expm = Math.exp(-h) - 1.0;
            row[FIRST_SAMPLE] = sigmaT / sigmaS;
            row[FIRST_X0] = -alphaT * expm;
            if (i > 0) {
                double alphaP = alpha(sigmas[i - 1]);
                double sigmaP = sigmas[i - 1] * alphaP;
                double r0 = (lambda(alphaS, sigmaS) - lambda(alphaP, sigmaP)) / h;
                // D0 = x0, D1 = (x0 - x0_prev) / r0
                double d1;
                if (config.solverType().equals("heun")) {
                    d1 = alphaT * (expm / h + 1.0);
                } else {
                    d1 = -0.5 * alphaT * expm;
                }
                row[SECOND_SAMPLE] = sigmaT / sigmaS;
                row[SECOND_X0] = -alphaT * expm + d1 / r0;
                row[SECOND_PREVIOUS_X0] = -d1 / r0;
            }
            table[i] = row;
        }
        coefficients = new ScalarTable(manager, table);
    }

    private static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }

    private static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
    }

    private static double[] timesteps(SchedulerConfig config, int n) {
        int train = config.numTrainTimesteps();
        double[] out = new double[n];
        switch (config.timestepSpacing()) {
            case LEADING -> {
                int ratio = train / (n + 1);
                for (int i = 0; i < n; i++) out[i] = (double) (n - i) * ratio + config.stepsOffset();
            }
            case TRAILING -> {
                double ratio = (double) train / n;
                for (int i = 0; i < n; i++) out[i] = Math.rint(train - i * ratio) - 1;
            }
            case LINSPACE -> {
                for (int i = 0; i < n; i++) out[i] = Math.rint((train - 1) * (double) (n - i) / n);
            }
        }
        return out;
    }

    /** Karras et al. (2022) sigmas with rho 7 between the schedule's smallest and largest sigma. */
    private static double[] karrasSigmas(NoiseSchedule schedule, int n) {
        double min = schedule.sigma(0);
        double max = schedule.sigma(schedule.numTrainTimesteps() - 1);
        double rho = 7.0;
        double minInv = Math.pow(min, 1 / rho);
        double maxInv = Math.pow(max, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double ramp = n == 1 ? 0 : (double) i / (n - 1);
            out[i] = Math.pow(maxInv + ramp * (minInv - maxInv), rho);
        }
        return out;
    }

    private static double[] karrasTimesteps(NoiseSchedule schedule, double[] sigmas) {
        double[] logSigmas = new double[schedule.numTrainTimesteps()];
        for (int t = 0; t < logSigmas.length; t++) logSigmas[t] = Math.log((float) schedule.sigma(t));
        double[] out = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) out[i] = Math.rint(sigmaToT(sigmas[i], logSigmas));
        return out;
    }

    /** diffusers' _sigma_to_t: piecewise-linear inverse of log sigma over the training timesteps. */
    static double sigmaToT(double sigma, double[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int t = 0; t < logSigmas.length; t++) {
            if (logSigma - logSigmas[t] >= 0) low = t;
        }
        low = Math.min(low, logSigmas.length - 2);
        double lo = logSigmas[low];
        double hi = logSigmas[low + 1];
        double w = Math.max(0, Math.min(1, (lo - logSigma) / (lo - hi)));
        return (1 - w) * low + w * (low + 1);
    }

    @Override
    protected NDArray doStep(NDArray modelOutput, int index, NDArray sample) {
        NDArray x0 = sample.mul(coefficients.get(index, X0_SAMPLE)).addi(modelOutput.mul(coefficients.get(index, X0_OUTPUT)));
        NDArray out;
        if (previousX0 == null || firstOrderOnly[index]) {
            out = sample.mul(coefficients.get(index, FIRST_SAMPLE)).addi(x0.mul(coefficients.get(index, FIRST_X0)));
        } else {
            out = sample.mul(coefficients.get(index, SECOND_SAMPLE))
                    .addi(x0.mul(coefficients.get(index, SECOND_X0)))
                    .addi(previousX0.mul(coefficients.get(index, SECOND_PREVIOUS_X0)));
        }
        if (previousX0 != null) previousX0.close();
        previousX0 = keep(x0);
        return out;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return original.mul(coefficients.get(index, NOISE_ORIGINAL)).addi(noise.mul(coefficients.get(index, NOISE_NOISE)));
    }
}

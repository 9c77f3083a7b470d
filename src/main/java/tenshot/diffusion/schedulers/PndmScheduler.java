package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * diffusers' PNDMScheduler with {@code skip_prk_steps}: pseudo linear multistep (PLMS) over the last
 * four model outputs. The second timestep repeats so that the first step is redone with the average
 * of two outputs, exactly as diffusers' counter logic does.
 */
final class PndmScheduler extends Scheduler {

    private static final double[][] MULTISTEP_WEIGHTS = {
        {1.0},
        {1.5, -0.5},
        {23.0 / 12, -16.0 / 12, 5.0 / 12},
        {55.0 / 24, -59.0 / 24, 37.0 / 24, -9.0 / 24}
    };

    private final ScalarTable regular;
    private final ScalarTable redo;
    private final ScalarTable weights;
    private final ScalarTable noising;
    /** Latest model output first; at most four. */
    private final Deque<NDArray> outputs = new ArrayDeque<>();
    private NDArray firstSample;
    private int counter;

    PndmScheduler(NoiseSchedule schedule, int steps, NDManager parent) {
        super(schedule, plmsTimesteps(schedule.config(), steps), steps, parent);
        int ratio = schedule.numTrainTimesteps() / steps;
        double[][] regularRows = new double[size()][];
        double[][] redoRows = new double[size()][];
        double[][] noiseRows = new double[size()][];
        for (int i = 0; i < size(); i++) {
            int t = (int) timestep(i);
            regularRows[i] = prevSampleCoefficients(t, t - ratio);
            redoRows[i] = t + ratio < schedule.numTrainTimesteps() ? prevSampleCoefficients(t + ratio, t) : new double[] {Double.NaN, Double.NaN};
            double a = schedule.alphaCumprod(t);
            noiseRows[i] = new double[] {Math.sqrt(a), Math.sqrt(1 - a)};
        }
        regular = new ScalarTable(manager, regularRows);
        redo = new ScalarTable(manager, redoRows);
        noising = new ScalarTable(manager, noiseRows);
        double[][] w = new double[MULTISTEP_WEIGHTS.length][4];
        for (int r = 0; r < w.length; r++) System.arraycopy(MULTISTEP_WEIGHTS[r], 0, w[r], 0, MULTISTEP_WEIGHTS[r].length);
        w[0][1] = 0.5;
        weights = new ScalarTable(manager, w);
    }

    private static double[] plmsTimesteps(SchedulerConfig config, int n) {
        double[] descending = spacedTimesteps(config, n, true);
        if (n == 1) return descending;
        double[] out = new double[n + 1];
        out[0] = descending[0];
        out[1] = descending[1];
        System.arraycopy(descending, 1, out, 2, n - 1);
        return out;
    }

    /**
     * diffusers' _get_prev_sample as {sample coefficient, output coefficient}:
     * {@code prev = sqrt(ap / a) * x - (ap - a) * eps / (a * sqrt(1 - ap) + sqrt(a * (1 - a) * ap))},
     * with eps = sqrt(a) * v + sqrt(1 - a) * x under v-prediction.
     */
    private double[] prevSampleCoefficients(int t, int prev) {
        double a = schedule.alphaCumprod(t);
        double ap = prev >= 0 ? schedule.alphaCumprod(prev) : schedule.finalAlphaCumprod();
        double sampleCoefficient = Math.sqrt(ap / a);
        double denominator = a * Math.sqrt(1 - ap) + Math.sqrt(a * (1 - a) * ap);
        double k = (ap - a) / denominator;
        if (schedule.predictionType() == PredictionType.EPSILON) return new double[] {sampleCoefficient, -k};
        return new double[] {sampleCoefficient - k * Math.sqrt(1 - a), -k * Math.sqrt(a)};
    }

    @Override
    protected NDArray doStep(NDArray modelOutput, int index, NDArray sample) {
        ScalarTable coefficients = regular;
        NDArray combined;
        NDArray base = sample;
        if (counter == 1) {
            coefficients = redo;
            combined = modelOutput.add(outputs.peekFirst()).muli(weights.get(0, 1));
            base = firstSample;
        } else {
            if (outputs.size() == 4) outputs.removeLast().close();
            outputs.addFirst(keep(modelOutput.duplicate()));
            double[] w = MULTISTEP_WEIGHTS[outputs.size() - 1];
            Iterator<NDArray> it = outputs.iterator();
            it.next();
            // start from the caller's array so results land on the caller's manager
            combined = modelOutput.mul(weights.get(outputs.size() - 1, 0));
            for (int j = 1; j < w.length; j++) combined.addi(it.next().mul(weights.get(outputs.size() - 1, j)));
            if (counter == 0) firstSample = keep(sample.duplicate());
        }
        NDArray out = combined.mul(coefficients.get(index, 1)).addi(base.mul(coefficients.get(index, 0)));
        if (counter == 1) {
            firstSample.close();
            firstSample = null;
        }
        counter++;
        return out;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return original.mul(noising.get(index, 0)).addi(noise.mul(noising.get(index, 1)));
    }
}

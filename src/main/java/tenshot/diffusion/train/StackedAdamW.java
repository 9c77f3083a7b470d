package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.TorchKernels;

/**
 * {@link AdamW} with clipping for a board's styles, whose adapters are stacked on a leading style axis
 * ({@code [styles, ...]} per layer, see {@code StyleAdapters}): each style keeps its own moments (slices
 * of stacked moments), its own step count and learning rate, and is clipped by its own global norm, so
 * a style steps as its own {@link AdamW} after {@link GradientClipping#clipGlobalNorm} would. One
 * kernel call steps every style, with one gradient read per layer; while every style is at the same
 * step and rate (a board that started together), the update is one fused call over the whole stacks.
 * A style's norm is reduced in another order than one style's own clipping reduces it, so the two
 * agree to rounding, not bit for bit.
 */
public final class StackedAdamW implements AutoCloseable {

    private final AdamW.Settings settings;
    private final double learningRate;
    private final NDManager stateManager;
    private final List<String> names;
    private final List<NDArray> params;
    private final List<NDArray> expAvgs = new ArrayList<>();
    private final List<NDArray> expAvgSqs = new ArrayList<>();
    /** Each style's step counter, an fp32 scalar on the device as fused AdamW keeps it. */
    private final List<NDArray> steps = new ArrayList<>();
    private final long[] stepCounts;

    /**
     * @param stacks the stacked fp32 tensors that take gradients, by the name a style's own tensor has
     * @param learningRate the rate every style trains at, before the schedule's factor
     */
    public StackedAdamW(AdamW.Settings settings, Map<String, NDArray> stacks, double learningRate, NDManager parent) {
        if (stacks.isEmpty()) throw new IllegalArgumentException("no stacked parameters to optimise");
        if (!(learningRate >= 0)) throw new IllegalArgumentException("learning rate must be >= 0: " + learningRate);
        this.settings = settings;
        this.learningRate = learningRate;
        this.stateManager = parent.newSubManager();
        this.names = List.copyOf(stacks.keySet());
        this.params = List.copyOf(stacks.values());
        long styles = params.get(0).getShape().get(0);
        for (Map.Entry<String, NDArray> e : stacks.entrySet()) {
            NDArray p = e.getValue();
            if (p.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("trainable parameter " + e.getKey() + " must be fp32, is " + p.getDataType());
            }
            if (p.getShape().dimension() != 3) {
                throw new IllegalArgumentException(e.getKey() + " is " + p.getShape() + ", not stacked matrices [styles, rows, cols]");
            }
            if (p.getShape().get(0) != styles) {
                throw new IllegalArgumentException(e.getKey() + " stacks " + p.getShape().get(0) + " styles, not " + styles);
            }
            expAvgs.add(stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
            expAvgSqs.add(stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice()));
        }
        for (long s = 0; s < styles; s++) steps.add(stateManager.zeros(new Shape(), DataType.FLOAT32, params.get(0).getDevice()));
        this.stepCounts = new long[Math.toIntExact(styles)];
    }

    /**
     * Clips and steps styles {@code styles[i]} with the learning rate times {@code lrFactors[i]}, then
     * zeroes every gradient. Returns every style's gradient norm before clipping, {@code [styles]} (the
     * caller owns it); a style not listed is clipped too, but its gradient is then zeroed unused.
     */
    public NDArray step(int[] styles, double[] lrFactors, double maxNorm) {
        if (styles.length != lrFactors.length) {
            throw new IllegalArgumentException(styles.length + " styles but " + lrFactors.length + " learning-rate factors");
        }
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max grad norm must be positive: " + maxNorm);
        double[] lrs = new double[styles.length];
        boolean together = styles.length == stepCounts.length;
        for (int i = 0; i < styles.length; i++) {
            lrs[i] = learningRate * lrFactors[i];
            together &= lrs[i] == lrs[0] && stepCounts[styles[i]] == stepCounts[styles[0]];
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        List<NDArray> grads = new ArrayList<>(params.size());
        try {
            for (int j = 0; j < params.size(); j++) {
                NDArray g = AdamW.gradientOrNull(params.get(j));
                if (g == null) throw new IllegalStateException("stacked parameter " + names.get(j) + " has no gradient");
                grads.add(g);
            }
            NDArray norms = TorchKernels.styleClip(grads, maxNorm);
            if (together) {
                TorchKernels.styleAdamwTogether(params, grads, expAvgs, expAvgSqs, steps, lrs[0], settings.beta1(), settings.beta2(),
                        settings.weightDecay(), settings.eps());
            } else {
                TorchKernels.styleAdamwEach(params, grads, expAvgs, expAvgSqs, steps, styles, lrs, settings.beta1(), settings.beta2(),
                        settings.weightDecay(), settings.eps());
            }
            for (int style : styles) stepCounts[style]++;
            return norms;
        } finally {
            for (NDArray g : grads) g.close();
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Clears every gradient (before the first backward pass of a resumed run). */
    public void zeroGradients() {
        for (NDArray p : params) {
            try (NDArray g = AdamW.gradientOrNull(p)) {
                if (g != null) JniUtils.zeroGrad((PtNDArray) p);
            }
        }
    }

    /** Style {@code index}'s moments and step count, for its checkpoints. */
    public OptimizerState style(int index) {
        if (index < 0 || index >= stepCounts.length) throw new IllegalArgumentException("no style " + index + " in " + stepCounts.length);
        Map<String, NDArray> moments = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) {
            moments.put("exp_avg." + names.get(j), slice(expAvgs.get(j), index));
            moments.put("exp_avg_sq." + names.get(j), slice(expAvgSqs.get(j), index));
        }
        return new OptimizerState() {
            @Override
            public Map<String, NDArray> stateTensors() {
                return Collections.unmodifiableMap(moments);
            }

            @Override
            public long stepCount() {
                return stepCounts[index];
            }

            @Override
            public void loadState(Map<String, float[]> tensors, long stepCount) {
                for (Map.Entry<String, NDArray> e : moments.entrySet()) TrainingCheckpoints.restoreInto(e.getValue(), tensors, e.getKey());
                steps.get(index).set(new float[] {stepCount});
                stepCounts[index] = stepCount;
            }
        };
    }

    private NDArray slice(NDArray stacked, int index) {
        NDArray view = stacked.get(index);
        view.attach(stateManager);
        return view;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}

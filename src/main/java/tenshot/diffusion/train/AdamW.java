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
 * AdamW as {@code torch.optim.AdamW(fused=True)} computes it: decoupled weight decay
 * {@code p *= 1 - lr*wd}, moment updates, bias correction, and {@code eps} added to
 * {@code sqrt(v)/sqrt(1-beta2^t)}, every parameter of a group in one PyTorch kernel. Parameters are
 * grouped so that each group has its own learning rate (the text-encoder LoRA trains at a fraction of
 * the UNet's). Moments are fp32 and live in the optimizer's own manager; gradients are read from the
 * parameters after a backward pass.
 */
public final class AdamW implements OptimizerState, AutoCloseable {

    /** The hyper-parameters every group shares; torch's defaults are betas 0.9/0.999, eps 1e-8, wd 1e-2. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {

        public static Settings torchDefaults() {
            return new Settings(0.9, 0.999, 1e-8, 1e-2);
        }

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("adam beta1 must be in [0, 1): " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("adam beta2 must be in [0, 1): " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("adam eps must be positive: " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
        }
    }

    /** A parameter, its moments, and its step counter (an fp32 scalar on the device, as fused AdamW keeps it). */
    private record Slot(String name, NDArray param, NDArray expAvg, NDArray expAvgSq, NDArray step, double groupLr) {}

    private final Settings settings;
    private final NDManager stateManager;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private long step;

    public AdamW(Settings settings, NDManager parent) {
        this.settings = settings;
        this.stateManager = parent.newSubManager();
    }

    /** Adds parameters (fp32, requiring gradients) that train at {@code learningRate}; names must be unique. */
    public void addGroup(Map<String, NDArray> params, double learningRate) {
        if (!(learningRate >= 0)) throw new IllegalArgumentException("learning rate must be >= 0: " + learningRate);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            if (slots.containsKey(e.getKey())) throw new IllegalArgumentException("parameter added twice: " + e.getKey());
            if (p.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("trainable parameter " + e.getKey() + " must be fp32, is " + p.getDataType());
            }
            NDArray m = stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice());
            NDArray v = stateManager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice());
            NDArray count = stateManager.zeros(new Shape(), DataType.FLOAT32, p.getDevice());
            slots.put(e.getKey(), new Slot(e.getKey(), p, m, v, count, learningRate));
        }
    }

    /** The trained parameters in the order they were added. */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>(slots.size());
        for (Slot s : slots.values()) out.add(s.param);
        return out;
    }

    public List<String> parameterNames() {
        return List.copyOf(slots.keySet());
    }

    @Override
    public long stepCount() {
        return step;
    }

    /**
     * One update of every parameter from its current gradient, each group's learning rate multiplied by
     * {@code lrFactor} (the schedule's factor for this step), then the gradients are zeroed for the next
     * backward pass. A parameter that never received a gradient is left alone, as torch skips parameters
     * whose grad is None. Each group is one call of PyTorch's fused AdamW kernel.
     */
    public void step(double lrFactor) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            step++;
            Map<Double, List<Slot>> groups = new LinkedHashMap<>();
            for (Slot s : slots.values()) groups.computeIfAbsent(s.groupLr * lrFactor, lr -> new ArrayList<>()).add(s);
            for (Map.Entry<Double, List<Slot>> group : groups.entrySet()) update(group.getValue(), group.getKey(), settings);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** One fused multi-tensor AdamW update of the slots that have a gradient; their gradients are zeroed after. */
    private static void update(List<Slot> group, double lr, Settings settings) {
        List<NDArray> params = new ArrayList<>();
        List<NDArray> grads = new ArrayList<>();
        List<NDArray> expAvgs = new ArrayList<>();
        List<NDArray> expAvgSqs = new ArrayList<>();
        List<NDArray> steps = new ArrayList<>();
        try {
            for (Slot s : group) {
                NDArray grad = gradientOrNull(s.param);
                if (grad == null) continue;
                params.add(s.param);
                grads.add(grad);
                expAvgs.add(s.expAvg);
                expAvgSqs.add(s.expAvgSq);
                steps.add(s.step);
            }
            if (params.isEmpty()) return;
            TorchKernels.adamw(params, grads, expAvgs, expAvgSqs, steps, lr, settings.beta1, settings.beta2,
                    settings.weightDecay, settings.eps);
        } finally {
            for (NDArray g : grads) g.close();
        }
    }

    /** Clears every parameter's gradient (torch and DJL accumulate gradients across backward passes). */
    public void zeroGradients() {
        for (Slot s : slots.values()) {
            try (NDArray g = gradientOrNull(s.param)) {
                if (g != null) JniUtils.zeroGrad((PtNDArray) s.param);
            }
        }
    }

    /** The parameter's gradient (a handle owned by the caller), or null when backward never reached it. */
    static NDArray gradientOrNull(NDArray param) {
        return JniUtils.getGradient((PtNDArray) param);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Slot s : slots.values()) {
            out.put("exp_avg." + s.name, s.expAvg);
            out.put("exp_avg_sq." + s.name, s.expAvgSq);
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public void loadState(Map<String, float[]> tensors, long stepCount) {
        for (Slot s : slots.values()) {
            TrainingCheckpoints.restoreInto(s.expAvg, tensors, "exp_avg." + s.name);
            TrainingCheckpoints.restoreInto(s.expAvgSq, tensors, "exp_avg_sq." + s.name);
            s.step.set(new float[] {stepCount});
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}

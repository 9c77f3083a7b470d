package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.weights.Weights;

/** {@code y = x·Wᵀ + b} over the last axis (torch.nn.Linear), with optional adapters (LoRA). */
public final class Linear {

    private final String key;
    private final int inFeatures;
    private final int outFeatures;
    private NDArray weight;
    private final NDArray bias;
    private final List<LinearAdapter> adapters = new ArrayList<>();

    public Linear(Weights weights, int inFeatures, int outFeatures, boolean bias) {
        this.key = weights.prefix();
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = weights.get("weight", new Shape(outFeatures, inFeatures));
        this.bias = bias ? weights.get("bias", new Shape(outFeatures)) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray y = forwardBase(x);
        for (LinearAdapter adapter : adapters) y = adapter.adapt(this, x, y);
        return y;
    }

    /** The frozen projection alone, ignoring adapters. */
    public NDArray forwardBase(NDArray x) {
        if (bias == null) return JniUtils.linear((PtNDArray) x, (PtNDArray) weight, null);
        return TorchKernels.linear(x, weight, bias);
    }

    public void addAdapter(LinearAdapter adapter) {
        adapters.add(adapter);
    }

    public boolean removeAdapter(LinearAdapter adapter) {
        return adapters.remove(adapter);
    }

    public void clearAdapters() {
        adapters.clear();
    }

    public List<LinearAdapter> adapters() {
        return List.copyOf(adapters);
    }

    /** The checkpoint key prefix of this layer, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}. */
    public String key() {
        return key;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public NDArray weight() {
        return weight;
    }

    /**
     * Replaces the weight (same shape and dtype), returning the previous one; used to merge an adapter
     * into the layer for fast inference and to restore the original afterwards.
     */
    public NDArray replaceWeight(NDArray replacement) {
        if (!replacement.getShape().equals(weight.getShape()) || replacement.getDataType() != weight.getDataType()) {
            throw new IllegalArgumentException("replacement weight for " + key + " is " + replacement.getShape() + " "
                    + replacement.getDataType() + ", expected " + weight.getShape() + " " + weight.getDataType());
        }
        NDArray previous = weight;
        weight = replacement;
        return previous;
    }

    /** The bias, or null when the layer has none. */
    public NDArray bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Linear[" + key + ", " + inFeatures + "->" + outFeatures + "]";
    }
}

package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code Attention} as the UNet's transformer blocks use it: bias-free q/k/v projections,
 * {@code to_out.0} with bias; self-attention when no context is given. What it computes from the
 * projections is its {@link AttentionProcessor} ({@link AttentionProcessor#DEFAULT} unless set).
 */
public final class CrossAttention {

    private final String name;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private AttentionProcessor processor = AttentionProcessor.DEFAULT;

    /**
     * SD 2.x configs set {@code upcast_attention}; like diffusers' default (SDPA) processor, the fused
     * kernel already accumulates in fp32, so the flag needs nothing more here.
     */
    CrossAttention(Weights weights, int queryDim, int contextDim, int heads, int headDim) {
        int inner = heads * headDim;
        this.name = weights.prefix();
        this.toQ = new Linear(weights.sub("to_q"), queryDim, inner, false);
        this.toK = new Linear(weights.sub("to_k"), contextDim, inner, false);
        this.toV = new Linear(weights.sub("to_v"), contextDim, inner, false);
        this.toOut = new Linear(weights.sub("to_out.0"), inner, queryDim, true);
        this.heads = heads;
    }

    /** Attention of {@code x} over {@code context} (or over itself when {@code context} is null). */
    NDArray forward(NDArray x, NDArray context) {
        return Scoped.run(() -> processor.process(this, x, context));
    }

    /** diffusers' module name, e.g. {@code up_blocks.1.attentions.0.transformer_blocks.0.attn1}. */
    public String name() {
        return name;
    }

    public int heads() {
        return heads;
    }

    /** {@code to_q(x)}, {@code [B, L, heads·d]} (adapters included). */
    public NDArray query(NDArray x) {
        return toQ.forward(x);
    }

    public NDArray key(NDArray source) {
        return toK.forward(source);
    }

    public NDArray value(NDArray source) {
        return toV.forward(source);
    }

    /** {@code to_out.0} of the merged heads. */
    public NDArray output(NDArray attended) {
        return toOut.forward(attended);
    }

    AttentionProcessor processor() {
        return processor;
    }

    void setProcessor(AttentionProcessor processor) {
        if (processor == null) throw new IllegalArgumentException("attention processor of " + name + " must not be null");
        this.processor = processor;
    }

    void collectLinears(Map<String, Linear> out) {
        for (Linear l : new Linear[] {toQ, toK, toV, toOut}) out.put(l.key(), l);
    }
}

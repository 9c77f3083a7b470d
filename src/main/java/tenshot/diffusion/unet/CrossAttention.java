package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code Attention} as the UNet's transformer blocks use it: bias-free q/k/v projections,
 * {@code to_out.0} with bias; self-attention when no context is given.
 */
final class CrossAttention {

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;

    /**
     * SD 2.x configs set {@code upcast_attention}; like diffusers' default (SDPA) processor, the fused
     * kernel already accumulates in fp32, so the flag needs nothing more here.
     */
    CrossAttention(Weights weights, int queryDim, int contextDim, int heads, int headDim) {
        int inner = heads * headDim;
        this.toQ = new Linear(weights.sub("to_q"), queryDim, inner, false);
        this.toK = new Linear(weights.sub("to_k"), contextDim, inner, false);
        this.toV = new Linear(weights.sub("to_v"), contextDim, inner, false);
        this.toOut = new Linear(weights.sub("to_out.0"), inner, queryDim, true);
        this.heads = heads;
    }

    /** Attention of {@code x} over {@code context} (or over itself when {@code context} is null). */
    NDArray forward(NDArray x, NDArray context) {
        return Scoped.run(() -> attend(x, context));
    }

    private NDArray attend(NDArray x, NDArray context) {
        NDArray source = context == null ? x : context;
        return toOut.forward(Attention.multiHead(toQ.forward(x), toK.forward(source), toV.forward(source), heads));
    }

    void collectLinears(Map<String, Linear> out) {
        for (Linear l : new Linear[] {toQ, toK, toV, toOut}) out.put(l.key(), l);
    }
}

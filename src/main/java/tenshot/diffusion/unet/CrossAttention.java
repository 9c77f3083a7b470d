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
    private final boolean upcast;
    private final NDArray scale;

    CrossAttention(Weights weights, int queryDim, int contextDim, int heads, int headDim, boolean upcast) {
        int inner = heads * headDim;
        this.toQ = new Linear(weights.sub("to_q"), queryDim, inner, false);
        this.toK = new Linear(weights.sub("to_k"), contextDim, inner, false);
        this.toV = new Linear(weights.sub("to_v"), contextDim, inner, false);
        this.toOut = new Linear(weights.sub("to_out.0"), inner, queryDim, true);
        this.heads = heads;
        this.upcast = upcast;
        this.scale = Weights.persistent(weights.manager().create((float) Math.pow(headDim, -0.5))
                .toType(weights.device().dtype(), false));
    }

    /** Attention of {@code x} over {@code context} (or over itself when {@code context} is null). */
    NDArray forward(NDArray x, NDArray context) {
        return Scoped.run(() -> attend(x, context));
    }

    private NDArray attend(NDArray x, NDArray context) {
        NDArray source = context == null ? x : context;
        NDArray q = Attention.splitHeads(toQ.forward(x), heads);
        NDArray k = Attention.splitHeads(toK.forward(source), heads);
        NDArray v = Attention.splitHeads(toV.forward(source), heads);
        return toOut.forward(Attention.mergeHeads(Attention.scaledDotProduct(q, k, v, scale, null, upcast)));
    }

    void collectLinears(Map<String, Linear> out) {
        for (Linear l : new Linear[] {toQ, toK, toV, toOut}) out.put(l.key(), l);
    }
}

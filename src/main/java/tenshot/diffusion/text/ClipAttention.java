package tenshot.diffusion.text;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.weights.Weights;

/** transformers {@code CLIPAttention}: multi-head self-attention with q/k/v/out projections. */
final class ClipAttention {

    final Linear qProj;
    final Linear kProj;
    final Linear vProj;
    final Linear outProj;
    private final int heads;
    private final NDArray scale;

    ClipAttention(Weights weights, ClipTextConfig config) {
        int dim = config.hiddenSize();
        this.qProj = new Linear(weights.sub("q_proj"), dim, dim, true);
        this.kProj = new Linear(weights.sub("k_proj"), dim, dim, true);
        this.vProj = new Linear(weights.sub("v_proj"), dim, dim, true);
        this.outProj = new Linear(weights.sub("out_proj"), dim, dim, true);
        this.heads = config.numAttentionHeads();
        this.scale = Weights.persistent(weights.manager().create((float) Math.pow(config.headDim(), -0.5))
                .toType(weights.device().dtype(), false));
    }

    NDArray forward(NDArray x, NDArray causalMask) {
        NDArray q = Attention.splitHeads(qProj.forward(x), heads);
        NDArray k = Attention.splitHeads(kProj.forward(x), heads);
        NDArray v = Attention.splitHeads(vProj.forward(x), heads);
        NDArray attended = Attention.scaledDotProduct(q, k, v, scale, causalMask, true);
        return outProj.forward(Attention.mergeHeads(attended));
    }
}

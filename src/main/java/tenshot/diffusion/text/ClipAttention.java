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

    ClipAttention(Weights weights, ClipTextConfig config) {
        int dim = config.hiddenSize();
        this.qProj = new Linear(weights.sub("q_proj"), dim, dim, true);
        this.kProj = new Linear(weights.sub("k_proj"), dim, dim, true);
        this.vProj = new Linear(weights.sub("v_proj"), dim, dim, true);
        this.outProj = new Linear(weights.sub("out_proj"), dim, dim, true);
        this.heads = config.numAttentionHeads();
    }

    /** Causal self-attention: each token attends to itself and the tokens before it. */
    NDArray forward(NDArray x) {
        NDArray q = Attention.splitHeads(qProj.forward(x), heads);
        NDArray k = Attention.splitHeads(kProj.forward(x), heads);
        NDArray v = Attention.splitHeads(vProj.forward(x), heads);
        return outProj.forward(Attention.mergeHeads(Attention.causal(q, k, v)));
    }
}

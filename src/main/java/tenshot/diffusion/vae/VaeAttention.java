package tenshot.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.GroupNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * The VAE mid-block's single-head spatial self-attention (diffusers {@code Attention} with a group
 * norm, biases, residual connection and fp32 softmax) over the {@code H·W} positions.
 */
final class VaeAttention {

    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    VaeAttention(Weights weights, int channels, int groups) {
        this.groupNorm = new GroupNorm(weights.sub("group_norm"), groups, channels, 1e-6);
        // Checkpoints saved before diffusers 0.14 (SD 2.1 among them) name these query/key/value/proj_attn.
        boolean legacy = !weights.isRandom() && !weights.has("to_q.weight") && weights.has("query.weight");
        this.toQ = new Linear(weights.sub(legacy ? "query" : "to_q"), channels, channels, true);
        this.toK = new Linear(weights.sub(legacy ? "key" : "to_k"), channels, channels, true);
        this.toV = new Linear(weights.sub(legacy ? "value" : "to_v"), channels, channels, true);
        this.toOut = new Linear(weights.sub(legacy ? "proj_attn" : "to_out.0"), channels, channels, true);
    }

    /** Releases its intermediates (the attention map) on return (see {@link Scoped}). */
    NDArray forward(NDArray x) {
        return Scoped.run(() -> residual(x));
    }

    private NDArray residual(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        NDArray tokens = groupNorm.forward(x).reshape(b, c, h * w).transpose(0, 2, 1);
        NDArray attended = toOut.forward(Attention.multiHead(toQ.forward(tokens), toK.forward(tokens), toV.forward(tokens), 1));
        return attended.transpose(0, 2, 1).reshape(b, c, h, w).add(x);
    }
}

package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import tenshot.diffusion.nn.Geglu;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code BasicTransformerBlock} (layer-norm variant): self-attention, cross-attention over
 * the text embeddings and a GEGLU feed-forward, each pre-normed and residual.
 */
final class BasicTransformerBlock {

    private final LayerNorm norm1;
    private final CrossAttention attn1;
    private final LayerNorm norm2;
    private final CrossAttention attn2;
    private final LayerNorm norm3;
    private final Geglu ffIn;
    private final Linear ffOut;

    BasicTransformerBlock(Weights weights, int dim, int heads, int headDim, int crossDim) {
        this.norm1 = new LayerNorm(weights.sub("norm1"), dim, 1e-5);
        this.attn1 = new CrossAttention(weights.sub("attn1"), dim, dim, heads, headDim);
        this.norm2 = new LayerNorm(weights.sub("norm2"), dim, 1e-5);
        this.attn2 = new CrossAttention(weights.sub("attn2"), dim, crossDim, heads, headDim);
        this.norm3 = new LayerNorm(weights.sub("norm3"), dim, 1e-5);
        int inner = dim * 4;
        this.ffIn = new Geglu(weights.sub("ff.net.0"), dim, inner);
        this.ffOut = new Linear(weights.sub("ff.net.2"), inner, dim, true);
    }

    NDArray forward(NDArray h, NDArray context) {
        h = h.add(attn1.forward(norm1.forward(h), null));
        h = h.add(attn2.forward(norm2.forward(h), context));
        return h.add(feedForward(h));
    }

    private NDArray feedForward(NDArray h) {
        return Scoped.run(() -> ffOut.forward(ffIn.forward(norm3.forward(h))));
    }

    void collectAttentions(Map<String, CrossAttention> out) {
        out.put(attn1.name(), attn1);
        out.put(attn2.name(), attn2);
    }

    void collectLinears(Map<String, Linear> out) {
        attn1.collectLinears(out);
        attn2.collectLinears(out);
        out.put(ffIn.proj().key(), ffIn.proj());
        out.put(ffOut.key(), ffOut);
    }
}

package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Conv2d;
import tenshot.diffusion.nn.GroupNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code Transformer2DModel} for continuous inputs: group norm, projection in (linear for
 * SD 2, 1x1 conv for SD 1), transformer blocks over the {@code H·W} tokens, projection out, residual.
 */
final class Transformer2DModel {

    private final GroupNorm norm;
    private final boolean linearProjection;
    private final Linear projInLinear;
    private final Linear projOutLinear;
    private final Conv2d projInConv;
    private final Conv2d projOutConv;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();

    Transformer2DModel(Weights weights, UNetConfig config, int channels, int heads, int layers) {
        int headDim = channels / heads;
        int inner = heads * headDim;
        this.norm = new GroupNorm(weights.sub("norm"), config.normNumGroups(), channels, 1e-6);
        this.linearProjection = config.useLinearProjection();
        if (linearProjection) {
            this.projInLinear = new Linear(weights.sub("proj_in"), channels, inner, true);
            this.projOutLinear = new Linear(weights.sub("proj_out"), inner, channels, true);
            this.projInConv = null;
            this.projOutConv = null;
        } else {
            this.projInConv = new Conv2d(weights.sub("proj_in"), channels, inner, 1, 1, 0);
            this.projOutConv = new Conv2d(weights.sub("proj_out"), inner, channels, 1, 1, 0);
            this.projInLinear = null;
            this.projOutLinear = null;
        }
        for (int i = 0; i < layers; i++) {
            blocks.add(new BasicTransformerBlock(weights.sub("transformer_blocks." + i), inner, heads, headDim,
                    config.crossAttentionDim()));
        }
    }

    /** Releases its intermediates on return (see {@link Scoped}). */
    NDArray forward(NDArray x, NDArray context) {
        return Scoped.run(() -> residual(x, context));
    }

    private NDArray residual(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0), h = s.get(2), w = s.get(3);
        NDArray normed = norm.forward(x);
        NDArray tokens;
        if (linearProjection) {
            tokens = projInLinear.forward(toTokens(normed));
        } else {
            tokens = toTokens(projInConv.forward(normed));
        }
        for (BasicTransformerBlock block : blocks) tokens = block.forward(tokens, context);
        NDArray out;
        if (linearProjection) {
            out = toImage(projOutLinear.forward(tokens), b, h, w);
        } else {
            out = projOutConv.forward(toImage(tokens, b, h, w));
        }
        // x first: the sum takes x's [B, C, H, W] layout, not the token-major strides of out, so the
        // next group norm and convolution read a contiguous tensor (diffusers copies out instead)
        return x.add(out);
    }

    /** {@code [B, C, H, W] -> [B, H·W, C]}. */
    private static NDArray toTokens(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    /** {@code [B, H·W, C] -> [B, C, H, W]}. */
    private static NDArray toImage(NDArray tokens, long b, long h, long w) {
        long c = tokens.getShape().get(2);
        return tokens.reshape(b, h, w, c).transpose(0, 3, 1, 2);
    }

    void collectAttentions(Map<String, CrossAttention> out) {
        for (BasicTransformerBlock block : blocks) block.collectAttentions(out);
    }

    void collectLinears(Map<String, Linear> out) {
        if (linearProjection) {
            out.put(projInLinear.key(), projInLinear);
            out.put(projOutLinear.key(), projOutLinear);
        }
        for (BasicTransformerBlock block : blocks) block.collectLinears(out);
    }
}

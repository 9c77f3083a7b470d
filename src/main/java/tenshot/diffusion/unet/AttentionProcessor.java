package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.nn.Attention;

/**
 * What one attention layer of the UNet computes (diffusers' attention processor): given the layer (its
 * projections and head count), its input and its context (null for self-attention), the layer's output
 * after {@code to_out}. {@link #DEFAULT} is the plain computation; others change it per named layer
 * through {@link UNet2DConditionModel#setAttentionProcessor}, e.g. to record or inject queries, keys and
 * values (StyleID).
 */
@FunctionalInterface
public interface AttentionProcessor {

    /** {@code to_out(softmax(q·kᵀ/√d)·v)} with PyTorch's fused scaled-dot-product attention. */
    AttentionProcessor DEFAULT = (layer, x, context) -> {
        NDArray source = context == null ? x : context;
        return layer.output(Attention.multiHead(layer.query(x), layer.key(source), layer.value(source), layer.heads()));
    };

    NDArray process(CrossAttention layer, NDArray hiddenStates, NDArray context);
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * Multi-head scaled dot-product attention on {@code [B, L, heads·d]} tensors, computed by PyTorch's
 * fused kernel ({@link TorchKernels#attention}): no score matrix is ever materialised, so memory grows
 * with the sequence length, not with its square.
 */
public final class Attention {

    private Attention() {}

    /** {@code [B, L, H·d] -> [B, H, L, d]} (a view; the fused kernel reads it strided). */
    public static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, l, heads, d).transpose(0, 2, 1, 3);
    }

    /** {@code [B, H, L, d] -> [B, L, H·d]}. */
    public static NDArray mergeHeads(NDArray x) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(1);
        long l = x.getShape().get(2);
        long d = x.getShape().get(3);
        return x.transpose(0, 2, 1, 3).reshape(b, l, h * d);
    }

    /**
     * {@code softmax(q·kᵀ/√d)·v} over {@code [B, H, L, d]} inputs, in the inputs' dtype (the fused
     * kernels accumulate in fp32, which is what diffusers' {@code upcast_attention} asked of the
     * unfused computation).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v) {
        return TorchKernels.attention(q, k, v);
    }

    /** {@code softmax(scale·q·kᵀ)·v} with an explicit score scale (a temperature times {@code 1/√d}, say). */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, double scale) {
        return TorchKernels.attention(q, k, v, scale);
    }

    /** As {@link #scaledDotProduct}, each query attending only to itself and earlier positions. */
    public static NDArray causal(NDArray q, NDArray k, NDArray v) {
        return TorchKernels.causalAttention(q, k, v);
    }

    /** Multi-head attention of {@code [B, L, H·d]} queries over keys and values of the same layout. */
    public static NDArray multiHead(NDArray q, NDArray k, NDArray v, int heads) {
        return mergeHeads(scaledDotProduct(splitHeads(q, heads), splitHeads(k, heads), splitHeads(v, heads)));
    }
}

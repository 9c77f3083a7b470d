package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Multi-head scaled dot-product attention on {@code [B, L, heads·d]} tensors. */
public final class Attention {

    private Attention() {}

    /** {@code [B, L, H·d] -> [B, H, L, d]}. */
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
     * Score elements computed at once before queries are processed in slices: 2^27 (512 MiB in fp32).
     * At 768 px the first UNet block has 9216 tokens, so unsliced scores for a batch of 16 with 5 heads
     * would take 27 GB.
     */
    static final long SCORE_BUDGET = 1L << 27;

    /**
     * {@code softmax(q·kᵀ·scale + mask)·v} over {@code [B, H, L, d]} inputs. Large problems are computed
     * in slices of queries so the score matrix stays within {@link #SCORE_BUDGET} elements.
     *
     * @param scale a scalar tensor (precomputed once, so no host transfer per call)
     * @param mask an additive mask broadcastable to {@code [B, H, Lq, Lk]}, or null
     * @param upcast compute scores and softmax in fp32 (diffusers' {@code upcast_attention} /
     *     {@code upcast_softmax}); probabilities return to {@code v}'s dtype before the product with v
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray scale, NDArray mask,
            boolean upcast) {
        Shape qs = q.getShape();
        long perQuery = qs.get(0) * qs.get(1) * k.getShape().get(2);
        long queries = qs.get(2);
        long slice = Math.max(1, SCORE_BUDGET / Math.max(1, perQuery));
        if (slice >= queries) return attend(q, k, v, scale, mask, upcast);
        boolean maskPerQuery = mask != null && mask.getShape().dimension() >= 2
                && mask.getShape().get(mask.getShape().dimension() - 2) == queries;
        NDList parts = new NDList();
        for (long start = 0; start < queries; start += slice) {
            long end = Math.min(queries, start + slice);
            NDArray qPart = q.get(new NDIndex(":, :, {}:{}", start, end));
            NDArray maskPart = maskPerQuery ? mask.get(new NDIndex("..., {}:{}, :", start, end)) : mask;
            parts.add(attend(qPart, k, v, scale, maskPart, upcast));
        }
        return NDArrays.concat(parts, 2);
    }

    private static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray scale, NDArray mask, boolean upcast) {
        DataType valueType = v.getDataType();
        boolean widen = upcast && valueType != DataType.FLOAT32;
        NDArray qs = widen ? Casts.to(q, DataType.FLOAT32) : q;
        NDArray ks = widen ? Casts.to(k, DataType.FLOAT32) : k;
        NDArray scores = JniUtils.matmul((PtNDArray) qs.mul(scale), (PtNDArray) ks.transpose(0, 1, 3, 2));
        if (mask != null) scores = scores.add(mask);
        NDArray probs = JniUtils.softmax((PtNDArray) scores, -1, upcast ? DataType.FLOAT32 : scores.getDataType());
        return JniUtils.matmul((PtNDArray) Casts.to(probs, valueType), (PtNDArray) v);
    }
}

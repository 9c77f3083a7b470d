package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.weights.Weights;

/**
 * Group normalisation of {@code [N, C, H, W]} (torch.nn.GroupNorm). The engine has no group-norm op, so
 * each group is flattened and layer-normalised without affine ({@code [N, G, C/G·H·W]} with cached
 * ones/zeros), then the per-channel scale and shift are applied.
 */
public final class GroupNorm {

    private final int groups;
    private final int channels;
    private final double eps;
    private final NDArray scale;
    private final NDArray shift;

    public GroupNorm(Weights weights, int groups, int channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + weights.prefix() + ": " + channels
                    + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        // Stored as [C, 1, 1] so they broadcast over [N, C, H, W].
        this.scale = Weights.persistent(weights.get("weight", new Shape(channels)).reshape(channels, 1, 1));
        this.shift = Weights.persistent(weights.get("bias", new Shape(channels)).reshape(channels, 1, 1));
    }

    /** Normalises {@code x} of shape {@code [N, C, H, W]}. */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long perGroup = shape.size() / shape.get(0) / groups;
        Shape normalized = new Shape(perGroup);
        NDArray[] identity = Constants.onesZeros(x.getDevice(), x.getDataType(), perGroup);
        NDArray grouped = x.reshape(shape.get(0), groups, perGroup);
        NDArray normed = JniUtils.layerNorm((PtNDArray) grouped, normalized, (PtNDArray) identity[0],
                (PtNDArray) identity[1], eps);
        return normed.reshape(shape).mul(scale).add(shift);
    }

    public int channels() {
        return channels;
    }
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.weights.Weights;

/** Group normalisation of {@code [N, C, H, W]} (torch.nn.GroupNorm), PyTorch's own kernel. */
public final class GroupNorm {

    private final int groups;
    private final int channels;
    private final double eps;
    private final NDArray weight;
    private final NDArray bias;

    public GroupNorm(Weights weights, int groups, int channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + weights.prefix() + ": " + channels
                    + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = weights.get("weight", new Shape(channels));
        this.bias = weights.get("bias", new Shape(channels));
    }

    /** Normalises {@code x} of shape {@code [N, C, H, W]}. */
    public NDArray forward(NDArray x) {
        return TorchKernels.groupNorm(x, groups, weight, bias, eps, false);
    }

    /** {@code silu(forward(x))}, the pair every resnet and output head runs. */
    public NDArray forwardSilu(NDArray x) {
        return TorchKernels.groupNorm(x, groups, weight, bias, eps, true);
    }

    public int channels() {
        return channels;
    }
}

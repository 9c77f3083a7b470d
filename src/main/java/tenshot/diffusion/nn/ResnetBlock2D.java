package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code ResnetBlock2D} (default time-embedding shift, SiLU, output scale 1): two
 * norm-SiLU-conv stages, the time embedding added in between, a 1x1 shortcut when channels change.
 */
public final class ResnetBlock2D {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;

    /** {@code temb} is the time-embedding width, or 0 for blocks without one (the VAE's). */
    public ResnetBlock2D(Weights weights, int in, int out, int temb, int groups, double eps) {
        this.norm1 = new GroupNorm(weights.sub("norm1"), groups, in, eps);
        this.conv1 = new Conv2d(weights.sub("conv1"), in, out, 3, 1, 1);
        this.timeEmbProj = temb > 0 ? new Linear(weights.sub("time_emb_proj"), temb, out, true) : null;
        this.norm2 = new GroupNorm(weights.sub("norm2"), groups, out, eps);
        this.conv2 = new Conv2d(weights.sub("conv2"), out, out, 3, 1, 1);
        this.convShortcut = in != out ? new Conv2d(weights.sub("conv_shortcut"), in, out, 1, 1, 0) : null;
    }

    /** Releases its intermediates on return (see {@link Scoped}). */
    public NDArray forward(NDArray x, NDArray temb) {
        return Scoped.run(() -> residual(x, temb));
    }

    private NDArray residual(NDArray x, NDArray temb) {
        NDArray h = conv1.forward(norm1.forwardSilu(x));
        if (timeEmbProj != null) {
            NDArray t = timeEmbProj.forward(Activations.silu(temb));
            Shape s = t.getShape();
            h = h.add(t.reshape(s.get(0), s.get(1), 1, 1));
        }
        h = conv2.forward(norm2.forwardSilu(h));
        NDArray shortcut = convShortcut != null ? convShortcut.forward(x) : x;
        return shortcut.add(h);
    }
}

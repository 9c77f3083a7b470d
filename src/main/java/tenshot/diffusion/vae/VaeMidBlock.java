package tenshot.diffusion.vae;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.weights.Weights;

/** diffusers {@code UNetMidBlock2D} without time embedding: resnet, attention (optional), resnet. */
final class VaeMidBlock {

    private final ResnetBlock2D resnet0;
    private final VaeAttention attention;
    private final ResnetBlock2D resnet1;

    VaeMidBlock(Weights weights, int channels, int groups, boolean withAttention) {
        this.resnet0 = new ResnetBlock2D(weights.sub("resnets.0"), channels, channels, 0, groups, 1e-6);
        this.attention = withAttention ? new VaeAttention(weights.sub("attentions.0"), channels, groups) : null;
        this.resnet1 = new ResnetBlock2D(weights.sub("resnets.1"), channels, channels, 0, groups, 1e-6);
    }

    NDArray forward(NDArray h) {
        h = resnet0.forward(h, null);
        if (attention != null) h = attention.forward(h);
        return resnet1.forward(h, null);
    }
}

package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.weights.Weights;

/** diffusers {@code UNetMidBlock2DCrossAttn}: resnet, transformer, resnet. */
final class MidBlock {

    private final ResnetBlock2D resnet0;
    private final Transformer2DModel attention;
    private final ResnetBlock2D resnet1;

    MidBlock(Weights weights, UNetConfig config) {
        int last = config.blockOutChannels().size() - 1;
        int channels = config.blockOutChannels().get(last);
        this.resnet0 = new ResnetBlock2D(weights.sub("resnets.0"), channels, channels, config.timeEmbedDim(),
                config.normNumGroups(), config.normEps());
        this.attention = new Transformer2DModel(weights.sub("attentions.0"), config, channels,
                config.numAttentionHeads().get(last), config.transformerLayersPerBlock().get(last));
        this.resnet1 = new ResnetBlock2D(weights.sub("resnets.1"), channels, channels, config.timeEmbedDim(),
                config.normNumGroups(), config.normEps());
    }

    NDArray forward(NDArray h, NDArray temb, NDArray context) {
        h = resnet0.forward(h, temb);
        h = attention.forward(h, context);
        return resnet1.forward(h, temb);
    }

    void collectAttentions(Map<String, CrossAttention> out) {
        attention.collectAttentions(out);
    }

    void collectLinears(Map<String, Linear> out) {
        attention.collectLinears(out);
    }
}

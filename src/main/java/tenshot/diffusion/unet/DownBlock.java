package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Downsample2D;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code CrossAttnDownBlock2D} (resnets each followed by a transformer) or {@code DownBlock2D}
 * (resnets only), with an optional stride-2 downsampler. Every layer's output is kept for the skip
 * connections of the matching up block.
 */
final class DownBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    /** Down block {@code index} of the config; its type in {@code down_block_types} says whether it attends. */
    DownBlock(Weights weights, UNetConfig config, int index) {
        List<Integer> channels = config.blockOutChannels();
        int in = channels.get(Math.max(index - 1, 0));
        int out = channels.get(index);
        boolean crossAttention = config.downBlockTypes().get(index).equals("CrossAttnDownBlock2D");
        for (int j = 0; j < config.layersPerBlock(); j++) {
            resnets.add(new ResnetBlock2D(weights.sub("resnets." + j), j == 0 ? in : out, out,
                    config.timeEmbedDim(), config.normNumGroups(), config.normEps()));
            if (crossAttention) {
                attentions.add(new Transformer2DModel(weights.sub("attentions." + j), config, out,
                        config.numAttentionHeads().get(index), config.transformerLayersPerBlock().get(index)));
            }
        }
        this.downsampler = index < channels.size() - 1
                ? new Downsample2D(weights.sub("downsamplers.0"), out, config.downsamplePadding()) : null;
    }

    /** Runs the block on {@code h}, appending each output to {@code skips}; returns the last output. */
    NDArray forward(NDArray h, NDArray temb, NDArray context, List<NDArray> skips) {
        for (int j = 0; j < resnets.size(); j++) {
            h = layer(j, h, temb, context);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }

    /** Resnet {@code j} (then transformer {@code j}), keeping only the layer's output. */
    private NDArray layer(int j, NDArray x, NDArray temb, NDArray context) {
        return Scoped.run(() -> {
            NDArray h = resnets.get(j).forward(x, temb);
            return attentions.isEmpty() ? h : attentions.get(j).forward(h, context);
        });
    }

    void collectAttentions(Map<String, CrossAttention> out) {
        for (Transformer2DModel t : attentions) t.collectAttentions(out);
    }

    void collectLinears(Map<String, Linear> out) {
        for (Transformer2DModel t : attentions) t.collectLinears(out);
    }
}

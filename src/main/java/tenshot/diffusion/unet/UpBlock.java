package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.nn.Upsample2D;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code CrossAttnUpBlock2D} / {@code UpBlock2D}: each layer concatenates the matching skip
 * connection on the channel axis before its resnet (and transformer); an optional upsampler follows.
 */
final class UpBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * Up block {@code index} of the config: it mirrors down block {@code blocks - 1 - index}, whose
     * heads and transformer depth it uses; its type in {@code up_block_types} says whether it attends.
     */
    UpBlock(Weights weights, UNetConfig config, int index) {
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        int mirrored = blocks - 1 - index;
        int out = channels.get(mirrored);
        int prevOut = channels.get(Math.min(mirrored + 1, blocks - 1)); // the previous up block's output
        int in = channels.get(Math.max(mirrored - 1, 0)); // the skip of this block's last layer
        boolean crossAttention = config.upBlockTypes().get(index).equals("CrossAttnUpBlock2D");
        int heads = config.numAttentionHeads().get(mirrored);
        int layersPerTransformer = config.transformerLayersPerBlock().get(mirrored);
        int layers = config.layersPerBlock() + 1;
        for (int j = 0; j < layers; j++) {
            int skip = j == layers - 1 ? in : out;
            int resnetIn = j == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(weights.sub("resnets." + j), resnetIn + skip, out,
                    config.timeEmbedDim(), config.normNumGroups(), config.normEps()));
            if (crossAttention) {
                attentions.add(new Transformer2DModel(weights.sub("attentions." + j), config, out, heads,
                        layersPerTransformer));
            }
        }
        this.upsampler = index < blocks - 1 ? new Upsample2D(weights.sub("upsamplers.0"), out) : null;
    }

    int layers() {
        return resnets.size();
    }

    /**
     * Runs the block, consuming skip connections from the end of {@code skips}; {@code nextSkip} is the
     * skip the following block will take first (its size is the upsampling target), or null.
     */
    NDArray forward(NDArray h, NDArray temb, NDArray context, List<NDArray> skips, NDArray nextSkip) {
        for (int j = 0; j < resnets.size(); j++) {
            h = layer(j, h, skips.remove(skips.size() - 1), temb, context);
        }
        if (upsampler != null) {
            h = nextSkip == null ? upsampler.forward(h)
                    : upsampler.forward(h, nextSkip.getShape().get(2), nextSkip.getShape().get(3));
        }
        return h;
    }

    /** Resnet {@code j} on {@code x} concatenated with {@code skip} (then transformer {@code j}). */
    private NDArray layer(int j, NDArray x, NDArray skip, NDArray temb, NDArray context) {
        return Scoped.run(() -> {
            NDArray h = resnets.get(j).forward(NDArrays.concat(new NDList(x, skip), 1), temb);
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

package tenshot.diffusion.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Conv2d;
import tenshot.diffusion.nn.GroupNorm;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.nn.Upsample2D;
import tenshot.diffusion.weights.Weights;

/** diffusers VAE {@code Decoder}: latents to an image in [-1, 1] (unclamped). */
final class Decoder {

    private final Conv2d convIn;
    private final VaeMidBlock midBlock;
    private final List<List<ResnetBlock2D>> blockResnets = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Decoder(Weights weights, VaeConfig config) {
        List<Integer> reversed = new ArrayList<>(config.blockOutChannels());
        Collections.reverse(reversed);
        int groups = config.normNumGroups();
        this.convIn = new Conv2d(weights.sub("conv_in"), config.latentChannels(), reversed.get(0), 3, 1, 1);
        this.midBlock = new VaeMidBlock(weights.sub("mid_block"), reversed.get(0), groups, config.midBlockAddAttention());
        int out = reversed.get(0);
        for (int i = 0; i < reversed.size(); i++) {
            int prev = out;
            out = reversed.get(i);
            Weights block = weights.sub("up_blocks." + i);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                resnets.add(new ResnetBlock2D(block.sub("resnets." + j), j == 0 ? prev : out, out, 0, groups, 1e-6));
            }
            blockResnets.add(resnets);
            upsamplers.add(i < reversed.size() - 1 ? new Upsample2D(block.sub("upsamplers.0"), out) : null);
        }
        int first = config.blockOutChannels().get(0);
        this.convNormOut = new GroupNorm(weights.sub("conv_norm_out"), groups, first, 1e-6);
        this.convOut = new Conv2d(weights.sub("conv_out"), first, config.outChannels(), 3, 1, 1);
    }

    NDArray forward(NDArray latents) {
        NDArray h = midBlock.forward(convIn.forward(latents));
        for (int i = 0; i < blockResnets.size(); i++) {
            for (ResnetBlock2D resnet : blockResnets.get(i)) h = resnet.forward(h, null);
            if (upsamplers.get(i) != null) h = upsamplers.get(i).forward(h);
        }
        return convOut.forward(convNormOut.forwardSilu(h));
    }
}

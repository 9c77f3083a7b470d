package tenshot.diffusion.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Conv2d;
import tenshot.diffusion.nn.Downsample2D;
import tenshot.diffusion.nn.GroupNorm;
import tenshot.diffusion.nn.ResnetBlock2D;
import tenshot.diffusion.weights.Weights;

/** diffusers VAE {@code Encoder}: image to the moments (mean and log-variance) of the latent posterior. */
final class Encoder {

    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> blockResnets = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final VaeMidBlock midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Encoder(Weights weights, VaeConfig config) {
        List<Integer> channels = config.blockOutChannels();
        int groups = config.normNumGroups();
        this.convIn = new Conv2d(weights.sub("conv_in"), config.inChannels(), channels.get(0), 3, 1, 1);
        int out = channels.get(0);
        for (int i = 0; i < channels.size(); i++) {
            int in = out;
            out = channels.get(i);
            Weights block = weights.sub("down_blocks." + i);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnets.add(new ResnetBlock2D(block.sub("resnets." + j), j == 0 ? in : out, out, 0, groups, 1e-6));
            }
            blockResnets.add(resnets);
            downsamplers.add(i < channels.size() - 1 ? new Downsample2D(block.sub("downsamplers.0"), out, 0) : null);
        }
        int last = channels.get(channels.size() - 1);
        this.midBlock = new VaeMidBlock(weights.sub("mid_block"), last, groups, config.midBlockAddAttention());
        this.convNormOut = new GroupNorm(weights.sub("conv_norm_out"), groups, last, 1e-6);
        this.convOut = new Conv2d(weights.sub("conv_out"), last, 2 * config.latentChannels(), 3, 1, 1);
    }

    NDArray forward(NDArray image) {
        NDArray h = convIn.forward(image);
        for (int i = 0; i < blockResnets.size(); i++) {
            for (ResnetBlock2D resnet : blockResnets.get(i)) h = resnet.forward(h, null);
            if (downsamplers.get(i) != null) h = downsamplers.get(i).forward(h);
        }
        h = midBlock.forward(h);
        return convOut.forward(convNormOut.forwardSilu(h));
    }
}

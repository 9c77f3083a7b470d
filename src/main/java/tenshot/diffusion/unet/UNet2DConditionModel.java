package tenshot.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Conv2d;
import tenshot.diffusion.nn.GroupNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.Scoped;
import tenshot.diffusion.weights.Weights;

/**
 * diffusers {@code UNet2DConditionModel} as Stable Diffusion 1.x/2.x configure it, built from its
 * {@code config.json} with diffusers' checkpoint key names. Predicts the noise (or velocity) of a noisy
 * latent at a timestep, conditioned on text embeddings.
 */
public final class UNet2DConditionModel implements tenshot.diffusion.pipeline.NoisePredictor {

    private final UNetConfig config;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final List<DownBlock> downBlocks = new ArrayList<>();
    private final MidBlock midBlock;
    private final List<UpBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final Map<String, Linear> linears;
    private final Map<String, CrossAttention> attentions;

    public UNet2DConditionModel(Weights weights, UNetConfig config) {
        this.config = config;
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        this.timeEmbedding = new TimestepEmbedding(weights.sub("time_embedding"), config);
        this.convIn = new Conv2d(weights.sub("conv_in"), config.inChannels(), channels.get(0), 3, 1, 1);

        for (int i = 0; i < blocks; i++) downBlocks.add(new DownBlock(weights.sub("down_blocks." + i), config, i));
        this.midBlock = new MidBlock(weights.sub("mid_block"), config);

        for (int i = 0; i < blocks; i++) upBlocks.add(new UpBlock(weights.sub("up_blocks." + i), config, i));
        this.convNormOut = new GroupNorm(weights.sub("conv_norm_out"), config.normNumGroups(), channels.get(0),
                config.normEps());
        this.convOut = new Conv2d(weights.sub("conv_out"), channels.get(0), config.outChannels(), 3, 1, 1);

        Map<String, Linear> all = new LinkedHashMap<>();
        for (DownBlock b : downBlocks) b.collectLinears(all);
        midBlock.collectLinears(all);
        for (UpBlock b : upBlocks) b.collectLinears(all);
        this.linears = Collections.unmodifiableMap(all);
        Map<String, CrossAttention> layers = new LinkedHashMap<>();
        for (DownBlock b : downBlocks) b.collectAttentions(layers);
        midBlock.collectAttentions(layers);
        for (UpBlock b : upBlocks) b.collectAttentions(layers);
        this.attentions = Collections.unmodifiableMap(layers);
    }

    /** Loads {@code unet/} of a diffusers model folder (config.json + safetensors). */
    public static UNet2DConditionModel load(Path folder, EngineDevice device, NDManager manager) {
        UNetConfig config = UNetConfig.read(folder.resolve("config.json"));
        return new UNet2DConditionModel(Weights.componentFolder(device, manager, folder), config);
    }

    /** A random-weight UNet of {@code config} (benchmarks, memory tests, the demo model). */
    public static UNet2DConditionModel random(UNetConfig config, EngineDevice device, NDManager manager, long seed) {
        return new UNet2DConditionModel(Weights.random(device, manager, seed), config);
    }

    /**
     * The model output for {@code sample [B, C, H, W]} at {@code timestep} ({@code [B]} or one value,
     * any numeric type) given {@code encoderHiddenStates [B, L, cross_attention_dim]}. Each block
     * releases its intermediates as soon as its output exists, and the skip connections and time
     * embedding are released on return: only the output joins the caller's scope.
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
        return Scoped.run(() -> run(sample, timestep, encoderHiddenStates));
    }

    /** {@link #forward}, as the pipeline drives the UNet. */
    @Override
    public NDArray predict(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
        return forward(sample, timestep, encoderHiddenStates);
    }

    private NDArray run(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
        long batch = sample.getShape().get(0);
        NDArray t = timestep.getShape().size() == batch ? timestep : timestep.reshape(1).repeat(0, batch);
        NDArray temb = timeEmbedding.forward(t, sample.getDataType());

        NDArray h = convIn.forward(sample);
        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (DownBlock block : downBlocks) h = block.forward(h, temb, encoderHiddenStates, skips);

        h = midBlock.forward(h, temb, encoderHiddenStates);

        for (UpBlock block : upBlocks) {
            int remaining = skips.size() - block.layers();
            NDArray nextSkip = remaining > 0 ? skips.get(remaining - 1) : null;
            h = block.forward(h, temb, encoderHiddenStates, skips, nextSkip);
        }
        return convOut.forward(convNormOut.forwardSilu(h));
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Every linear layer of the transformers (attention projections, feed-forward, linear proj_in/out)
     * by diffusers module name, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}:
     * where adapters attach.
     */
    public Map<String, Linear> linears() {
        return linears;
    }

    /** Every attention layer by diffusers module name ({@code ...transformer_blocks.0.attn1}), in forward order. */
    public Map<String, CrossAttention> attentions() {
        return attentions;
    }

    /** Sets the processor of the attention layer {@code name}; returns the one it replaces. */
    public AttentionProcessor setAttentionProcessor(String name, AttentionProcessor processor) {
        CrossAttention layer = attentions.get(name);
        if (layer == null) {
            throw new IllegalArgumentException("the UNet has no attention layer '" + name + "' (layers look like "
                    + attentions.keySet().iterator().next() + ")");
        }
        AttentionProcessor previous = layer.processor();
        layer.setProcessor(processor);
        return previous;
    }

    /** Puts {@link AttentionProcessor#DEFAULT} back on every attention layer. */
    public void resetAttentionProcessors() {
        for (CrossAttention layer : attentions.values()) layer.setProcessor(AttentionProcessor.DEFAULT);
    }
}

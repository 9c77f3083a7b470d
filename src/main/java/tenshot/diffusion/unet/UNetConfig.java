package tenshot.diffusion.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a diffusers {@code UNet2DConditionModel} config ({@code unet/config.json}) that Stable
 * Diffusion 1.x/2.x use. Options the engine does not implement are rejected by name.
 *
 * <p>{@code numAttentionHeads} holds the number of heads per block. diffusers reads SD 2 configs'
 * {@code attention_head_dim} as that number when {@code num_attention_heads} is null, and so does this.
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        List<Integer> blockOutChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        String midBlockType,
        int layersPerBlock,
        List<Integer> numAttentionHeads,
        List<Integer> transformerLayersPerBlock,
        int crossAttentionDim,
        boolean useLinearProjection,
        boolean upcastAttention,
        boolean flipSinToCos,
        int freqShift,
        int normNumGroups,
        double normEps,
        int downsamplePadding,
        double midBlockScaleFactor,
        int sampleSize) {

    public static UNetConfig read(Path configJson) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read UNet config " + configJson + ": " + e.getMessage(), e);
        }
        return parse(c, configJson.toString());
    }

    static UNetConfig parse(JsonNode c, String source) {
        List<Integer> blockOut = ints(c, "block_out_channels", source, -1);
        int blocks = blockOut.size();
        rejectUnless(c, source, "class_embed_type", null);
        rejectUnless(c, source, "addition_embed_type", null);
        rejectUnless(c, source, "encoder_hid_dim", null);
        rejectUnless(c, source, "time_cond_proj_dim", null);
        rejectUnless(c, source, "time_embedding_type", "positional");
        rejectUnless(c, source, "resnet_time_scale_shift", "default");
        rejectUnless(c, source, "act_fn", "silu");
        if (c.path("dual_cross_attention").asBoolean(false) || c.path("only_cross_attention").asBoolean(false)) {
            throw new IllegalArgumentException("UNet config " + source
                    + ": dual_cross_attention / only_cross_attention are not supported");
        }
        if (c.path("center_input_sample").asBoolean(false)) {
            throw new IllegalArgumentException("UNet config " + source + ": center_input_sample is not supported");
        }
        JsonNode headsNode = c.hasNonNull("num_attention_heads") ? c.get("num_attention_heads") : c.get("attention_head_dim");
        if (headsNode == null || headsNode.isNull()) {
            throw new IllegalArgumentException("UNet config " + source + " lacks attention_head_dim / num_attention_heads");
        }
        List<Integer> heads = intsOf(headsNode, blocks);
        List<Integer> transformerLayers = c.hasNonNull("transformer_layers_per_block")
                ? intsOf(c.get("transformer_layers_per_block"), blocks) : intsOf(null, blocks, 1);
        JsonNode cross = c.get("cross_attention_dim");
        if (cross == null || !cross.isInt()) {
            throw new IllegalArgumentException("UNet config " + source + ": cross_attention_dim must be one integer");
        }
        UNetConfig config = new UNetConfig(
                c.path("in_channels").asInt(4),
                c.path("out_channels").asInt(4),
                blockOut,
                strings(c, "down_block_types", source),
                strings(c, "up_block_types", source),
                c.hasNonNull("mid_block_type") ? c.get("mid_block_type").asText() : "UNetMidBlock2DCrossAttn",
                c.path("layers_per_block").asInt(2),
                heads,
                transformerLayers,
                cross.asInt(),
                c.path("use_linear_projection").asBoolean(false),
                c.path("upcast_attention").asBoolean(false),
                c.path("flip_sin_to_cos").asBoolean(true),
                c.path("freq_shift").asInt(0),
                c.path("norm_num_groups").asInt(32),
                c.path("norm_eps").asDouble(1e-5),
                c.path("downsample_padding").asInt(1),
                c.path("mid_block_scale_factor").asDouble(1.0),
                c.path("sample_size").asInt(64));
        config.validate(source);
        return config;
    }

    private void validate(String source) {
        int n = blockOutChannels.size();
        if (downBlockTypes.size() != n || upBlockTypes.size() != n) {
            throw new IllegalArgumentException("UNet config " + source + ": block_out_channels, down_block_types"
                    + " and up_block_types must have the same length");
        }
        for (String t : downBlockTypes) {
            if (!t.equals("CrossAttnDownBlock2D") && !t.equals("DownBlock2D")) {
                throw new IllegalArgumentException("UNet config " + source + ": down block type " + t + " is not supported");
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals("CrossAttnUpBlock2D") && !t.equals("UpBlock2D")) {
                throw new IllegalArgumentException("UNet config " + source + ": up block type " + t + " is not supported");
            }
        }
        if (!midBlockType.equals("UNetMidBlock2DCrossAttn")) {
            throw new IllegalArgumentException("UNet config " + source + ": mid block type " + midBlockType
                    + " is not supported");
        }
        if (midBlockScaleFactor != 1.0) {
            throw new IllegalArgumentException("UNet config " + source + ": mid_block_scale_factor "
                    + midBlockScaleFactor + " is not supported (1 only)");
        }
        for (int i = 0; i < n; i++) {
            if (blockOutChannels.get(i) % numAttentionHeads.get(i) != 0) {
                throw new IllegalArgumentException("UNet config " + source + ": block " + i + " has "
                        + blockOutChannels.get(i) + " channels, not divisible into " + numAttentionHeads.get(i) + " heads");
            }
        }
    }

    private static void rejectUnless(JsonNode c, String source, String field, String allowed) {
        JsonNode v = c.get(field);
        boolean isNull = v == null || v.isNull();
        boolean ok = allowed == null ? isNull : isNull || v.asText().equals(allowed);
        if (!ok) {
            throw new IllegalArgumentException("UNet config " + source + ": " + field + " = " + v + " is not supported");
        }
    }

    private static List<Integer> ints(JsonNode c, String field, String source, int count) {
        JsonNode v = c.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("UNet config " + source + " lacks the list '" + field + "'");
        }
        return intsOf(v, count < 0 ? v.size() : count);
    }

    private static List<Integer> intsOf(JsonNode v, int count) {
        return intsOf(v, count, 0);
    }

    private static List<Integer> intsOf(JsonNode v, int count, int fallback) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (v == null) out.add(fallback);
            else if (v.isArray()) out.add(v.get(Math.min(i, v.size() - 1)).asInt());
            else out.add(v.asInt());
        }
        return List.copyOf(out);
    }

    private static List<String> strings(JsonNode c, String field, String source) {
        JsonNode v = c.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("UNet config " + source + " lacks the list '" + field + "'");
        }
        List<String> out = new ArrayList<>();
        v.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }
}

package tenshot.diffusion.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The fields of a diffusers {@code AutoencoderKL} config ({@code vae/config.json}) the model uses. */
public record VaeConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        boolean midBlockAddAttention,
        boolean useQuantConv,
        boolean usePostQuantConv,
        double scalingFactor,
        boolean forceUpcast,
        int sampleSize) {

    public static VaeConfig read(Path configJson) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read VAE config " + configJson + ": " + e.getMessage(), e);
        }
        JsonNode blocks = c.get("block_out_channels");
        if (blocks == null || !blocks.isArray() || blocks.isEmpty()) {
            throw new IllegalArgumentException("VAE config " + configJson + " lacks the list 'block_out_channels'");
        }
        List<Integer> channels = new ArrayList<>();
        blocks.forEach(n -> channels.add(n.asInt()));
        for (String field : new String[] {"down_block_types", "up_block_types"}) {
            JsonNode types = c.get(field);
            if (types == null) continue;
            String expected = field.startsWith("down") ? "DownEncoderBlock2D" : "UpDecoderBlock2D";
            types.forEach(t -> {
                if (!t.asText().equals(expected)) {
                    throw new IllegalArgumentException("VAE config " + configJson + ": " + field + " entry "
                            + t.asText() + " is not supported");
                }
            });
        }
        if (c.hasNonNull("act_fn") && !c.get("act_fn").asText().equals("silu")) {
            throw new IllegalArgumentException("VAE config " + configJson + ": act_fn " + c.get("act_fn") + " is not supported");
        }
        if (c.hasNonNull("shift_factor")) {
            throw new IllegalArgumentException("VAE config " + configJson + ": shift_factor is not supported");
        }
        return new VaeConfig(
                c.path("in_channels").asInt(3),
                c.path("out_channels").asInt(3),
                c.path("latent_channels").asInt(4),
                List.copyOf(channels),
                c.path("layers_per_block").asInt(1),
                c.path("norm_num_groups").asInt(32),
                c.path("mid_block_add_attention").asBoolean(true),
                c.path("use_quant_conv").asBoolean(true),
                c.path("use_post_quant_conv").asBoolean(true),
                c.path("scaling_factor").asDouble(0.18215),
                c.path("force_upcast").asBoolean(true),
                c.path("sample_size").asInt(512));
    }
}

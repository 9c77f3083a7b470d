package tenshot.diffusion.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** The fields of a transformers {@code CLIPTextConfig} ({@code text_encoder/config.json}) the model uses. */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps) {

    public ClipTextConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("text encoder config: hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (!hiddenAct.equals("gelu") && !hiddenAct.equals("quick_gelu")) {
            throw new IllegalArgumentException("text encoder config: hidden_act '" + hiddenAct
                    + "' is not supported (gelu or quick_gelu)");
        }
    }

    public static ClipTextConfig read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read text encoder config " + configJson + ": " + e.getMessage(), e);
        }
        // A full CLIPConfig nests the text tower under text_config.
        JsonNode c = root.has("text_config") ? root.get("text_config") : root;
        return new ClipTextConfig(
                required(configJson, c, "vocab_size").asInt(),
                required(configJson, c, "hidden_size").asInt(),
                required(configJson, c, "intermediate_size").asInt(),
                required(configJson, c, "num_hidden_layers").asInt(),
                required(configJson, c, "num_attention_heads").asInt(),
                c.path("max_position_embeddings").asInt(77),
                c.path("hidden_act").asText("quick_gelu"),
                c.path("layer_norm_eps").asDouble(1e-5));
    }

    private static JsonNode required(Path file, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("text encoder config " + file + " lacks '" + field + "'");
        }
        return value;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}

package tenshot.diffusion.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.weights.Weights;

/**
 * transformers {@code CLIPTextModel}: token and position embeddings, a causal pre-norm transformer
 * encoder and a final layer norm. Stable Diffusion feeds {@code last_hidden_state} to the UNet.
 *
 * <p>Checkpoint keys are those of {@code text_encoder/model.safetensors}, with or without the
 * {@code text_model.} prefix.
 */
public final class ClipTextModel {

    /** The encoder's outputs for one batch of token ids. */
    public record Output(NDArray lastHiddenState, NDArray penultimateHiddenState) {}

    private final ClipTextConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;

    public ClipTextModel(Weights weights, ClipTextConfig config) {
        this.config = config;
        Weights model = !weights.isRandom() && weights.has("text_model.embeddings.token_embedding.weight")
                ? weights.sub("text_model") : weights;
        Weights embeddings = model.sub("embeddings");
        this.tokenEmbedding = embeddings.get("token_embedding.weight", new Shape(config.vocabSize(), config.hiddenSize()));
        this.positionEmbedding = embeddings.get("position_embedding.weight",
                new Shape(config.maxPositionEmbeddings(), config.hiddenSize()));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(model.sub("encoder.layers." + i), config));
        }
        this.finalLayerNorm = new LayerNorm(model.sub("final_layer_norm"), config.hiddenSize(), config.layerNormEps());
    }

    /** Loads {@code text_encoder/} of a diffusers model folder (config.json + safetensors). */
    public static ClipTextModel load(Path folder, EngineDevice device, NDManager manager) {
        ClipTextConfig config = ClipTextConfig.read(folder.resolve("config.json"));
        return new ClipTextModel(Weights.componentFolder(device, manager, folder), config);
    }

    /** A random-weight model of {@code config} (benchmarks, tests). */
    public static ClipTextModel random(ClipTextConfig config, EngineDevice device, NDManager manager, long seed) {
        return new ClipTextModel(Weights.random(device, manager, seed), config);
    }

    /** {@code last_hidden_state} for {@code inputIds} of shape {@code [B, L]} (int64). */
    public NDArray forward(NDArray inputIds) {
        return encode(inputIds).lastHiddenState();
    }

    /**
     * Both the final-norm output and the penultimate layer's hidden state ({@code hidden_states[-2]},
     * before the final norm), for pipelines that skip the last layer.
     */
    public Output encode(NDArray inputIds) {
        long length = inputIds.getShape().get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("token sequence of length " + length + " exceeds the text encoder's "
                    + config.maxPositionEmbeddings() + " positions");
        }
        NDArray ids = inputIds.getDataType() == DataType.INT64 ? inputIds : inputIds.toType(DataType.INT64, false);
        NDArray tokens = JniUtils.embedding((PtNDArray) ids, (PtNDArray) tokenEmbedding, false);
        NDArray positions = positionEmbedding;
        if (length != config.maxPositionEmbeddings()) positions = positionEmbedding.get(new NDIndex(":{}", length));
        NDArray h = tokens.add(positions);
        NDArray penultimate = h;
        for (ClipEncoderLayer layer : layers) {
            penultimate = h;
            h = layer.forward(h);
        }
        return new Output(finalLayerNorm.forward(h), penultimate);
    }

    public ClipTextConfig config() {
        return config;
    }

    /**
     * The attention projections of every layer by checkpoint-relative name, for adapters:
     * {@code text_model.encoder.layers.N.self_attn.q_proj} etc. (always with the {@code text_model.}
     * prefix, as diffusers names them in LoRA files).
     */
    public java.util.Map<String, Linear> linears() {
        java.util.Map<String, Linear> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            ClipAttention a = layers.get(i).selfAttn;
            String p = "text_model.encoder.layers." + i + ".self_attn.";
            out.put(p + "q_proj", a.qProj);
            out.put(p + "k_proj", a.kProj);
            out.put(p + "v_proj", a.vProj);
            out.put(p + "out_proj", a.outProj);
        }
        return Collections.unmodifiableMap(out);
    }
}

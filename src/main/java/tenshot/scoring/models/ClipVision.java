package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.weights.Weights;

/**
 * transformers' {@code CLIPVisionTransformer}: patch embedding without bias, class token, positions,
 * {@code pre_layrnorm} (sic), pre-norm encoder layers, {@code post_layernorm} of the class token.
 */
final class ClipVision {

    record Config(int hidden, int intermediate, int layers, int heads, int patch, int imageSize, double eps,
            boolean quickGelu) {
        static Config of(JsonNode v) {
            return new Config(v.get("hidden_size").asInt(), v.get("intermediate_size").asInt(),
                    v.get("num_hidden_layers").asInt(), v.get("num_attention_heads").asInt(), v.get("patch_size").asInt(),
                    v.get("image_size").asInt(), v.path("layer_norm_eps").asDouble(1e-5),
                    v.path("hidden_act").asText("quick_gelu").equals("quick_gelu"));
        }
    }

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, LayerNorm norm2, Linear fc1, Linear fc2) {}

    private final Config config;
    private final NDArray patchWeight;
    private final NDArray classEmbedding;
    private final NDArray positions;
    private final LayerNorm preNorm;
    private final LayerNorm postNorm;
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray quickGeluFactor;

    ClipVision(Weights w, Config c) {
        this.config = c;
        int d = c.hidden;
        int tokens = (c.imageSize / c.patch) * (c.imageSize / c.patch) + 1;
        this.patchWeight = w.get("embeddings.patch_embedding.weight", new Shape(d, 3, c.patch, c.patch));
        this.classEmbedding = w.get("embeddings.class_embedding", new Shape(d)).reshape(1, 1, d);
        this.positions = w.get("embeddings.position_embedding.weight", new Shape(tokens, d)).expandDims(0);
        this.preNorm = new LayerNorm(w.sub("pre_layrnorm"), d, c.eps);
        this.postNorm = new LayerNorm(w.sub("post_layernorm"), d, c.eps);
        for (int i = 0; i < c.layers; i++) {
            Weights l = w.sub("encoder.layers." + i);
            layers.add(new Layer(new LayerNorm(l.sub("layer_norm1"), d, c.eps), new Linear(l.sub("self_attn.q_proj"), d, d, true),
                    new Linear(l.sub("self_attn.k_proj"), d, d, true), new Linear(l.sub("self_attn.v_proj"), d, d, true),
                    new Linear(l.sub("self_attn.out_proj"), d, d, true), new LayerNorm(l.sub("layer_norm2"), d, c.eps),
                    new Linear(l.sub("mlp.fc1"), d, c.intermediate, true), new Linear(l.sub("mlp.fc2"), c.intermediate, d, true)));
        }
        this.quickGeluFactor = Weights.persistent(w.manager().create(1.702f).toType(w.device().dtype(), false));
    }

    /** Pooled output {@code [B, hidden]} of pixel values {@code [B, 3, S, S]}. */
    NDArray forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        NDArray x = TorchKernels.conv2d(pixels, patchWeight, null, config.patch, 0);
        x = x.reshape(b, config.hidden, -1).transpose(0, 2, 1);
        x = NDArrays.concat(new NDList(classEmbedding.repeat(0, b), x), 1).add(positions);
        x = preNorm.forward(x);
        for (Layer l : layers) {
            NDArray h = l.norm1.forward(x);
            x = x.add(l.out.forward(Attention.multiHead(l.q.forward(h), l.k.forward(h), l.v.forward(h), config.heads)));
            NDArray m = l.fc1.forward(l.norm2.forward(x));
            m = config.quickGelu ? m.mul(ai.djl.nn.Activation.sigmoid(m.mul(quickGeluFactor))) : Activations.gelu(m);
            x = x.add(l.fc2.forward(m));
        }
        return postNorm.forward(x.get(":, 0, :"));
    }
}

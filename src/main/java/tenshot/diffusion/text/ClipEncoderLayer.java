package tenshot.diffusion.text;

import ai.djl.ndarray.NDArray;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.weights.Weights;

/** transformers {@code CLIPEncoderLayer}: pre-norm self-attention and MLP, each with a residual. */
final class ClipEncoderLayer {

    final ClipAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final LayerNorm layerNorm2;
    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    ClipEncoderLayer(Weights weights, ClipTextConfig config) {
        this.selfAttn = new ClipAttention(weights.sub("self_attn"), config);
        this.layerNorm1 = new LayerNorm(weights.sub("layer_norm1"), config.hiddenSize(), config.layerNormEps());
        this.layerNorm2 = new LayerNorm(weights.sub("layer_norm2"), config.hiddenSize(), config.layerNormEps());
        this.fc1 = new Linear(weights.sub("mlp.fc1"), config.hiddenSize(), config.intermediateSize(), true);
        this.fc2 = new Linear(weights.sub("mlp.fc2"), config.intermediateSize(), config.hiddenSize(), true);
        this.quickGelu = config.hiddenAct().equals("quick_gelu");
    }

    NDArray forward(NDArray x) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x)));
        return h.add(fc2.forward(activation(fc1.forward(layerNorm2.forward(h)))));
    }

    private NDArray activation(NDArray x) {
        // quick_gelu (SD 1.x text encoders): x·sigmoid(1.702·x); SD 2 uses the exact gelu.
        return quickGelu ? x.mul(ai.djl.nn.Activation.sigmoid(x.mul(1.702f))) : Activations.gelu(x);
    }
}

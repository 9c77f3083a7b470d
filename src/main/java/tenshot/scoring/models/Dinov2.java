package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.image.PilResize;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.DinoModel;
import tenshot.scoring.image.Crops;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TensorImages;
import tenshot.scoring.image.TorchInterpolate;

/**
 * transformers' {@code Dinov2Model} (pre-norm ViT with layer scale) and its {@code BitImageProcessor}:
 * PIL bicubic resize of the short side to 256, centre crop 224, ImageNet normalisation. The output is
 * the pooler output, the final layer norm of the CLS token.
 */
public final class Dinov2 implements DinoModel, AutoCloseable {

    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    private final NDManager manager;
    private final EngineDevice device;
    private final Config config;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray clsToken;
    private final NDArray positions;
    private final List<Layer> layers = new ArrayList<>();
    private final LayerNorm layernorm;

    /** The config.json and preprocessor_config.json fields the model uses. */
    public record Config(int hidden, int layers, int heads, int mlpRatio, int patch, int imageSize, double eps,
            int shortestEdge, int crop) {
        static Config read(Path dir) throws IOException {
            ObjectMapper json = new ObjectMapper();
            JsonNode c = json.readTree(dir.resolve("config.json").toFile());
            JsonNode p = json.readTree(dir.resolve("preprocessor_config.json").toFile());
            if (c.path("use_swiglu_ffn").asBoolean(false)) throw new IOException(dir + ": SwiGLU DINOv2 variants are not supported");
            return new Config(c.get("hidden_size").asInt(), c.get("num_hidden_layers").asInt(),
                    c.get("num_attention_heads").asInt(), c.path("mlp_ratio").asInt(4), c.get("patch_size").asInt(),
                    c.get("image_size").asInt(), c.path("layer_norm_eps").asDouble(1e-6),
                    p.path("size").path("shortest_edge").asInt(256), p.path("crop_size").path("height").asInt(224));
        }
    }

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, NDArray scale1, LayerNorm norm2,
            Linear fc1, Linear fc2, NDArray scale2) {}

    public Dinov2(Weights w, Config config) {
        this.manager = w.manager();
        this.device = w.device();
        this.config = config;
        int d = config.hidden;
        Weights emb = w.sub("embeddings");
        this.patchWeight = emb.get("patch_embeddings.projection.weight", new Shape(d, 3, config.patch, config.patch));
        this.patchBias = emb.get("patch_embeddings.projection.bias", new Shape(d));
        this.clsToken = emb.get("cls_token", new Shape(1, 1, d));
        int grid = config.imageSize / config.patch;
        NDArray table = emb.get("position_embeddings", new Shape(1, 1 + grid * grid, d));
        this.positions = Weights.persistent(resizePositions(table, grid, config.crop / config.patch, d));
        for (int i = 0; i < config.layers; i++) {
            Weights l = w.sub("encoder.layer." + i);
            Weights a = l.sub("attention");
            layers.add(new Layer(new LayerNorm(l.sub("norm1"), d, config.eps), new Linear(a.sub("attention.query"), d, d, true),
                    new Linear(a.sub("attention.key"), d, d, true), new Linear(a.sub("attention.value"), d, d, true),
                    new Linear(a.sub("output.dense"), d, d, true), l.get("layer_scale1.lambda1", new Shape(d)),
                    new LayerNorm(l.sub("norm2"), d, config.eps), new Linear(l.sub("mlp.fc1"), d, d * config.mlpRatio, true),
                    new Linear(l.sub("mlp.fc2"), d * config.mlpRatio, d, true), l.get("layer_scale2.lambda1", new Shape(d))));
        }
        this.layernorm = new LayerNorm(w.sub("layernorm"), d, config.eps);
    }

    public static Dinov2 load(Path dir, EngineDevice device) throws IOException {
        Config config = Config.read(dir);
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            return new Dinov2(Weights.componentFolder(device, manager, dir), config);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Bicubic resize of the patch position table to the crop's grid, as transformers does per forward. */
    private NDArray resizePositions(NDArray table, int grid, int target, int d) {
        if (grid == target) return table;
        float[] all = MetricTensors.host(table);
        float[] chw = new float[d * grid * grid];
        for (int p = 0; p < grid * grid; p++) for (int c = 0; c < d; c++) chw[c * grid * grid + p] = all[(1 + p) * d + c];
        float[] resized = TorchInterpolate.bicubic(chw, d, grid, grid, target, target, false);
        float[] out = new float[(1 + target * target) * d];
        System.arraycopy(all, 0, out, 0, d);
        for (int p = 0; p < target * target; p++) for (int c = 0; c < d; c++) out[(1 + p) * d + c] = resized[c * target * target + p];
        NDArray host = manager.create(out, new Shape(1, 1 + target * target, d));
        return host.toDevice(device.device(), false).toType(device.dtype(), false);
    }

    /** The processor's pixel values {@code [3, crop, crop]} for an image. */
    public float[] preprocess(RgbImage image) {
        int[] size = Crops.shortestEdge(image.width(), image.height(), config.shortestEdge);
        RgbImage resized = image.resized(size[0], size[1], PilResize.Filter.BICUBIC);
        return TensorImages.normalized(Crops.center(resized, config.crop, config.crop), 1 / 255.0, MEAN, STD);
    }

    @Override
    public float[] embed(RgbImage image) {
        return embedAll(List.of(image), 1).get(0);
    }

    @Override
    public List<float[]> embedAll(List<RgbImage> images, int batch) {
        JniUtils.setGradMode(false);
        List<float[]> out = new ArrayList<>();
        for (List<RgbImage> chunk : tenshot.scoring.Batches.of(images, batch)) {
            try (NDManager scope = manager.newSubManager()) {
                out.addAll(MetricTensors.rows(forward(MetricTensors.images(scope, device, chunk.stream().map(this::preprocess).toList(), 3,
                        config.crop, config.crop))));
            }
        }
        return out;
    }

    /** Pooler output {@code [B, hidden]} of pixel values {@code [B, 3, crop, crop]}. */
    public NDArray forward(NDArray pixels) {
        long b = pixels.getShape().get(0);
        NDArray x = TorchKernels.conv2d(pixels, patchWeight, patchBias, config.patch, 0);
        x = x.reshape(b, config.hidden, -1).transpose(0, 2, 1);
        x = NDArrays.concat(new ai.djl.ndarray.NDList(clsToken.repeat(0, b), x), 1).add(positions);
        for (Layer l : layers) {
            NDArray h = l.norm1.forward(x);
            NDArray attn = l.out.forward(Attention.multiHead(l.q.forward(h), l.k.forward(h), l.v.forward(h), config.heads));
            x = x.add(attn.mul(l.scale1));
            NDArray m = l.fc2.forward(Activations.gelu(l.fc1.forward(l.norm2.forward(x))));
            x = x.add(m.mul(l.scale2));
        }
        return layernorm.forward(x).get(":, 0, :");
    }

    @Override
    public void close() {
        manager.close();
    }
}

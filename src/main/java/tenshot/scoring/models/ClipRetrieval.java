package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.image.PilResize;
import tenshot.diffusion.text.ClipTextConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.ClipRModel;
import tenshot.scoring.image.Crops;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TensorImages;

/**
 * transformers' {@code CLIPModel} for CLIP-R (openai/clip-vit-large-patch14): image and text embeddings
 * (projections of the pooled outputs, L2-normalised) and {@code logits_per_image = exp(logit_scale)·
 * img·textᵀ}. The text tower is the engine's {@link ClipTextModel} (quick GELU); the pooled text output is
 * the hidden state at the first end-of-text token, so padding never changes it and each text is encoded
 * once, unpadded, and cached. Images: PIL bicubic short side 224, centre crop 224, CLIP mean/std.
 */
public final class ClipRetrieval implements ClipRModel, AutoCloseable {

    private final NDManager manager;
    private final EngineDevice device;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel text;
    private final ClipImageTower vision;
    private final Linear2 textProjection;
    private final double logitScale;
    private final Map<String, float[]> textCache = new HashMap<>();

    /** A bias-free projection held as its weight. */
    private record Linear2(NDArray weight) {
        NDArray forward(NDArray x) {
            return JniUtils.linear((PtNDArray) x, (PtNDArray) weight, null);
        }
    }

    private ClipRetrieval(Path dir, EngineDevice device, NDManager manager) throws IOException {
        this.manager = manager;
        this.device = device;
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(dir.resolve("config.json").toFile());
        JsonNode processor = json.readTree(dir.resolve("preprocessor_config.json").toFile());
        int projection = config.path("projection_dim").asInt(768);
        Weights w = Weights.componentFolder(device, manager, dir);
        ClipTextConfig textConfig = ClipTextConfig.read(dir.resolve("config.json"));
        this.text = new ClipTextModel(w, textConfig);
        this.vision = new ClipImageTower(w, config, processor, false);
        this.textProjection = new Linear2(w.get("text_projection.weight", new Shape(projection, textConfig.hiddenSize())));
        this.logitScale = Math.exp(MetricTensors.host(w.get("logit_scale", new Shape()))[0]);
        this.tokenizer = ClipTokenizer.load(dir);
    }

    /** A Hugging Face CLIP folder: config.json, preprocessor_config.json, model.safetensors, vocab.json, merges.txt. */
    public static ClipRetrieval load(Path dir, EngineDevice device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            return new ClipRetrieval(dir, device, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@code [bos] + tokens + [eos]}, truncated to the model's context. */
    public long[] tokenize(String text) {
        List<Integer> ids = tokenizer.tokenIds(text);
        int keep = Math.min(ids.size(), tokenizer.maxLength() - 2);
        long[] out = new long[keep + 2];
        out[0] = tokenizer.bosId();
        for (int i = 0; i < keep; i++) out[i + 1] = ids.get(i);
        out[keep + 1] = tokenizer.eosId();
        return out;
    }

    public float[] preprocess(RgbImage image) {
        int[] size = Crops.shortestEdge(image.width(), image.height(), vision.shortestEdge());
        RgbImage resized = image.resized(size[0], size[1], PilResize.Filter.BICUBIC, true);
        int crop = vision.cropSize();
        return TensorImages.normalized(Crops.center(resized, crop, crop), 1 / 255.0, ClipImageTower.MEAN, ClipImageTower.STD);
    }

    /** L2-normalised image embedding. */
    public float[] imageEmbedding(RgbImage image) {
        return imageEmbeddings(List.of(image), 1).get(0);
    }

    /** L2-normalised image embeddings, up to {@code batch} images at a time through the vision tower. */
    public List<float[]> imageEmbeddings(List<RgbImage> images, int batch) {
        JniUtils.setGradMode(false);
        List<float[]> out = new ArrayList<>();
        for (List<RgbImage> chunk : tenshot.scoring.Batches.of(images, batch)) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray pixels = MetricTensors.images(scope, device, chunk.stream().map(this::preprocess).toList(), 3,
                        vision.cropSize(), vision.cropSize());
                for (float[] row : MetricTensors.rows(vision.features(pixels))) out.add(normalize(row));
            }
        }
        return out;
    }

    /** L2-normalised text embedding (cached per text). */
    public float[] textEmbedding(String value) {
        float[] cached = textCache.get(value);
        if (cached != null) return cached;
        JniUtils.setGradMode(false);
        try (NDManager scope = manager.newSubManager()) {
            long[] ids = tokenize(value);
            NDArray input = scope.create(ids, new Shape(1, ids.length)).toDevice(device.device(), false);
            NDArray hidden = text.forward(input);
            NDArray pooled = hidden.get(":, " + (ids.length - 1) + ", :");
            float[] e = normalize(MetricTensors.host(textProjection.forward(pooled)));
            textCache.put(value, e);
            return e;
        }
    }

    /** {@code logits_per_image} of one image against {@code texts}. */
    public double[] logits(RgbImage image, List<String> texts) {
        return logits(imageEmbedding(image), texts);
    }

    private double[] logits(float[] img, List<String> texts) {
        double[] out = new double[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            float[] t = textEmbedding(texts.get(i));
            double dot = 0;
            for (int j = 0; j < img.length; j++) dot += (double) img[j] * t[j];
            out[i] = logitScale * dot;
        }
        return out;
    }

    @Override
    public List<List<String>> topKAll(List<RgbImage> images, List<List<String>> candidates, int k, int batch) {
        List<float[]> embeddings = imageEmbeddings(images, batch);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) out.add(topK(logits(embeddings.get(i), candidates.get(i)), candidates.get(i), k));
        return out;
    }

    @Override
    public List<String> topK(RgbImage image, List<String> candidates, int k) {
        return topK(logits(image, candidates), candidates, k);
    }

    private static List<String> topK(double[] logits, List<String> candidates, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) order.add(i);
        order.sort(Comparator.comparingDouble((Integer i) -> -logits[i]));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.size()); i++) out.add(candidates.get(order.get(i)));
        return out;
    }

    private static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) n += (double) x * x;
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / n);
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}

package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.nn.BatchNorm2d;
import tenshot.diffusion.nn.LayerNorm;
import tenshot.diffusion.nn.Pooling;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.ClipIqaModel;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TensorImages;
import tenshot.scoring.pth.PthCheckpoint;

/**
 * CLIP-IQA as torchmetrics computes it with piq's CLIP (OpenAI's RN50 code): a ModifiedResNet image
 * tower (3-conv stem, anti-aliased bottlenecks, attention pooling over the mean token <em>without</em> the
 * positional embedding, so any image size works) and OpenAI's text transformer (causal, QuickGELU,
 * pooled at the end-of-text token). Images at native size, CLIP mean/std normalised; the quality is
 * {@code softmax(100·[cos(img, "Good photo."), cos(img, "Bad photo.")])[0]}. Keys follow OpenAI's
 * state dict ({@code visual.*}, {@code transformer.resblocks.*}, {@code token_embedding}, ...).
 */
public final class ClipIqa implements ClipIqaModel, AutoCloseable {

    private static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] STD = {0.26862954, 0.26130258, 0.27577711};
    static final String GOOD = "Good photo.";
    static final String BAD = "Bad photo.";

    private final NDManager manager;
    private final EngineDevice device;
    private final List<Conv> stem = new ArrayList<>();
    private final List<Bottleneck> blocks = new ArrayList<>();
    private final AttentionPool pool;
    private final float[] goodAnchor;
    private final float[] badAnchor;

    /** Conv without bias + eval BatchNorm (+ ReLU in the caller). */
    private record Conv(NDArray weight, BatchNorm2d bn, int stride, int padding) {
        static Conv of(Weights w, String conv, String bn, int padding) {
            NDArray weight = w.get(conv + ".weight", null);
            int out = (int) weight.getShape().get(0);
            return new Conv(weight, new BatchNorm2d(w.sub(bn), out, 1e-5), 1, padding);
        }

        NDArray forward(NDArray x) {
            return bn.forward(TorchKernels.conv2d(x, weight, null, stride, padding));
        }

        Conv withStride(int s) {
            return new Conv(weight, bn, s, padding);
        }
    }

    private record Bottleneck(Conv c1, Conv c2, Conv c3, Conv down, int stride) {
        NDArray forward(NDArray x) {
            NDArray out = Activations.relu(c1.forward(x));
            out = Activations.relu(c2.forward(out));
            if (stride > 1) out = Pooling.average(out, stride, stride);
            out = c3.forward(out);
            NDArray identity = x;
            if (down != null) {
                identity = stride > 1 ? Pooling.average(x, stride, stride) : x;
                identity = down.forward(identity);
            }
            return Activations.relu(out.add(identity));
        }
    }

    /** OpenAI's AttentionPool2d: the mean token attends over all tokens; returns the projected mean token. */
    private record AttentionPool(NDArray q, NDArray qb, NDArray k, NDArray kb, NDArray v, NDArray vb, NDArray c,
            NDArray cb, int heads) {
        NDArray forward(NDArray x) {
            long n = x.getShape().get(0);
            long ch = x.getShape().get(1);
            NDArray tokens = x.reshape(n, ch, -1).transpose(0, 2, 1); // [N, HW, C]
            long hw = tokens.getShape().get(1);
            NDArray mean = tokens.sum(new int[] {1}, true).div(hw);
            tokens = NDArrays.concat(new NDList(mean, tokens), 1);
            NDArray out = Attention.multiHead(linear(mean, q, qb), linear(tokens, k, kb), linear(tokens, v, vb), heads);
            return linear(out, c, cb).squeeze(1);
        }
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return JniUtils.linear((PtNDArray) x, (PtNDArray) w, (PtNDArray) b);
    }

    /**
     * @param visionHeads heads of the attention pool (OpenAI: stem width·32/64)
     * @param textHeads heads of the text transformer (OpenAI: width/64)
     */
    public ClipIqa(Weights w, ClipTokenizer tokenizer, int visionHeads, int textHeads) {
        this.manager = w.manager();
        this.device = w.device();
        Weights v = w.sub("visual");
        stem.add(Conv.of(v, "conv1", "bn1", 1).withStride(2));
        stem.add(Conv.of(v, "conv2", "bn2", 1));
        stem.add(Conv.of(v, "conv3", "bn3", 1));
        for (int layer = 1; layer <= 4; layer++) {
            for (int i = 0; v.has("layer" + layer + "." + i + ".conv1.weight"); i++) {
                Weights b = v.sub("layer" + layer + "." + i);
                int stride = layer > 1 && i == 0 ? 2 : 1;
                Conv down = b.has("downsample.0.weight") ? Conv.of(b, "downsample.0", "downsample.1", 0) : null;
                blocks.add(new Bottleneck(Conv.of(b, "conv1", "bn1", 0), Conv.of(b, "conv2", "bn2", 1),
                        Conv.of(b, "conv3", "bn3", 0), down, stride));
            }
        }
        if (blocks.isEmpty()) throw new IllegalArgumentException("CLIP-IQA weights " + w + " hold no visual.layerN blocks");
        Weights p = v.sub("attnpool");
        NDArray qw = p.get("q_proj.weight", null);
        this.pool = new AttentionPool(qw, p.get("q_proj.bias", null), p.get("k_proj.weight", null), p.get("k_proj.bias", null),
                p.get("v_proj.weight", null), p.get("v_proj.bias", null), p.get("c_proj.weight", null),
                p.get("c_proj.bias", null), visionHeads);
        OpenAiText text = new OpenAiText(w, textHeads);
        JniUtils.setGradMode(false);
        this.goodAnchor = normalize(text.encode(anchorIds(tokenizer, GOOD), manager));
        this.badAnchor = normalize(text.encode(anchorIds(tokenizer, BAD), manager));
    }

    /** The prompt's ids as the kit builds them: start, words, end, zero padded to the context length. */
    public static long[] anchorIds(ClipTokenizer tokenizer, String prompt) {
        List<Integer> ids = tokenizer.tokenIds(prompt);
        long[] out = new long[tokenizer.maxLength()];
        out[0] = tokenizer.bosId();
        int keep = Math.min(ids.size(), out.length - 2);
        for (int i = 0; i < keep; i++) out[i + 1] = ids.get(i);
        out[keep + 1] = tokenizer.eosId();
        return out;
    }

    /**
     * From a folder with {@code weights.safetensors} (OpenAI state-dict keys) or piq's TorchScript
     * {@code RN50.pt} (its parameters only), plus {@code vocab.json} and {@code merges.txt}. Head counts are not stored in the weights: they follow OpenAI's
     * {@code build_model} (pool: stem width·32/64, text: width/64), a width under 64 (only test-size
     * models) uses 16-wide text heads, and an optional {@code config.json} with {@code vision_heads} /
     * {@code text_heads} overrides both.
     */
    public static ClipIqa load(Path dir, EngineDevice device) throws IOException {
        Path file = dir.resolve("weights.safetensors");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        com.fasterxml.jackson.databind.JsonNode config = Files.isRegularFile(dir.resolve("config.json"))
                ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("config.json").toFile())
                : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        NDManager manager = NDManager.newBaseManager(device.device());
        PthCheckpoint archive = null;
        try {
            Weights w;
            if (Files.isRegularFile(file)) {
                w = Weights.checkpoint(device, manager, file);
            } else {
                // piq's RN50.pt: the parameters of a TorchScript archive, read without running it
                archive = PthCheckpoint.open(ModelFiles.pth(dir), device, manager, null);
                w = archive.weights();
            }
            int width = (int) w.get("visual.layer1.0.conv1.weight", null).getShape().get(0);
            int textWidth = (int) w.get("ln_final.weight", null).getShape().get(0);
            int visionHeads = config.path("vision_heads").asInt(Math.max(1, width * 32 / 64));
            int textHeads = config.path("text_heads").asInt(textWidth >= 64 ? textWidth / 64 : Math.max(1, textWidth / 16));
            return new ClipIqa(w, tokenizer, visionHeads, textHeads);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        } finally {
            if (archive != null) archive.close();
        }
    }

    @Override
    public double quality(RgbImage image, boolean officialPixelRange) {
        return quality(imageFeatures(image, officialPixelRange));
    }

    @Override
    public double[] qualityAll(java.util.List<RgbImage> images, boolean officialPixelRange, int batch) {
        JniUtils.setGradMode(false);
        double[] out = new double[images.size()];
        int i = 0;
        // Native size: only images of the same size share a batch.
        for (java.util.List<RgbImage> chunk : tenshot.scoring.Batches.of(images, batch,
                (a, b) -> a.width() == b.width() && a.height() == b.height())) {
            for (float[] f : imageFeatures(chunk, officialPixelRange)) out[i++] = quality(f);
        }
        return out;
    }

    private double quality(float[] features) {
        float[] img = normalize(features);
        double good = 100 * dot(img, goodAnchor);
        double bad = 100 * dot(img, badAnchor);
        double m = Math.max(good, bad);
        double eg = Math.exp(good - m);
        double eb = Math.exp(bad - m);
        return eg / (eg + eb);
    }

    /** The image tower's output at native size; official: pixels 0..255 normalised as if they were 0..1. */
    public float[] imageFeatures(RgbImage image, boolean officialPixelRange) {
        return imageFeatures(java.util.List.of(image), officialPixelRange).get(0);
    }

    /** The image tower's outputs for images of one size, as one batch. */
    private java.util.List<float[]> imageFeatures(java.util.List<RgbImage> images, boolean officialPixelRange) {
        JniUtils.setGradMode(false);
        float scale = officialPixelRange ? 1f : 1f / 255f;
        java.util.List<float[]> inputs = new java.util.ArrayList<>();
        for (RgbImage image : images) {
            float[] chw = TensorImages.chw(image, scale, 0f);
            int hw = image.width() * image.height();
            for (int c = 0; c < 3; c++) {
                float m = (float) MEAN[c];
                float s = (float) STD[c];
                for (int i = 0; i < hw; i++) chw[c * hw + i] = (chw[c * hw + i] - m) / s;
            }
            inputs.add(chw);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = MetricTensors.images(scope, device, inputs, 3, images.get(0).height(), images.get(0).width());
            for (Conv c : stem) x = Activations.relu(c.forward(x));
            x = Pooling.average(x, 2, 2);
            for (Bottleneck b : blocks) x = b.forward(x);
            return MetricTensors.rows(pool.forward(x));
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    private static float[] normalize(float[] v) {
        double n = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / n);
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** OpenAI CLIP's text transformer: causal pre-norm blocks with fused in-projection and QuickGELU. */
    private static final class OpenAiText {
        private record Block(LayerNorm ln1, NDArray inW, NDArray inB, NDArray outW, NDArray outB, LayerNorm ln2,
                NDArray fcW, NDArray fcB, NDArray projW, NDArray projB) {}

        private final NDArray tokenEmbedding;
        private final NDArray positions;
        private final List<Block> blocks = new ArrayList<>();
        private final LayerNorm lnFinal;
        private final NDArray projection;
        private final int heads;
        private final int width;

        OpenAiText(Weights w, int heads) {
            this.tokenEmbedding = w.get("token_embedding.weight", null);
            this.positions = w.get("positional_embedding", null);
            this.width = (int) tokenEmbedding.getShape().get(1);
            this.heads = heads;
            for (int i = 0; w.has("transformer.resblocks." + i + ".ln_1.weight"); i++) {
                Weights b = w.sub("transformer.resblocks." + i);
                blocks.add(new Block(new LayerNorm(b.sub("ln_1"), width, 1e-5), b.get("attn.in_proj_weight", null),
                        b.get("attn.in_proj_bias", null), b.get("attn.out_proj.weight", null), b.get("attn.out_proj.bias", null),
                        new LayerNorm(b.sub("ln_2"), width, 1e-5), b.get("mlp.c_fc.weight", null), b.get("mlp.c_fc.bias", null),
                        b.get("mlp.c_proj.weight", null), b.get("mlp.c_proj.bias", null)));
            }
            this.lnFinal = new LayerNorm(w.sub("ln_final"), width, 1e-5);
            this.projection = w.get("text_projection", null);
        }

        float[] encode(long[] ids, NDManager parent) {
            try (NDManager scope = parent.newSubManager()) {
                int length = ids.length;
                NDArray idArray = scope.create(ids, new Shape(1, length)).toDevice(tokenEmbedding.getDevice(), false);
                NDArray x = JniUtils.embedding((PtNDArray) idArray, (PtNDArray) tokenEmbedding, false).add(positions);
                for (Block b : blocks) {
                    NDArray h = b.ln1.forward(x);
                    NDList qkv = linear(h, b.inW, b.inB).split(3, 2);
                    NDArray att = Attention.causal(Attention.splitHeads(qkv.get(0), heads),
                            Attention.splitHeads(qkv.get(1), heads), Attention.splitHeads(qkv.get(2), heads));
                    x = x.add(linear(Attention.mergeHeads(att), b.outW, b.outB));
                    NDArray m = linear(b.ln2.forward(x), b.fcW, b.fcB);
                    m = m.mul(ai.djl.nn.Activation.sigmoid(m.mul(1.702f)));
                    x = x.add(linear(m, b.projW, b.projB));
                }
                x = lnFinal.forward(x);
                int eot = 0;
                for (int i = 1; i < length; i++) if (ids[i] > ids[eot]) eot = i;
                return MetricTensors.host(x.get(":, " + eot + ", :").matMul(projection));
            }
        }
    }
}

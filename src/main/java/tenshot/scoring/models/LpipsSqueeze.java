package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.image.PilResize;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.Pooling;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.LpipsModel;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TensorImages;
import tenshot.scoring.pth.PthCheckpoint;

/**
 * torchmetrics' LPIPS with the SqueezeNet 1.1 backbone: images resized to 256x256 with PIL bilinear and
 * scaled to [−1, 1]; the LPIPS scaling layer; the seven ReLU outputs of squeezenet's feature slices, each
 * unit-normalised over channels; squared differences weighted by the learned 1x1 heads
 * ({@code lin0..lin6}), averaged over space and summed over layers. Keys follow torchmetrics' module:
 * {@code net.slices.S.I.*} and {@code linK.model.1.weight}.
 */
public final class LpipsSqueeze implements LpipsModel, AutoCloseable {

    static final int SIZE = 256;
    private static final int[] CHANNELS = {64, 128, 256, 384, 384, 512, 512};
    private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    private static final float[] SCALE = {0.458f, 0.448f, 0.450f};

    private final NDManager manager;
    private final EngineDevice device;
    private final NDArray conv0Weight;
    private final NDArray conv0Bias;
    private final List<List<Fire>> slices = new ArrayList<>();
    private final List<NDArray> heads = new ArrayList<>();

    private record Fire(NDArray squeezeW, NDArray squeezeB, NDArray e1W, NDArray e1B, NDArray e3W, NDArray e3B) {
        static Fire of(Weights w, int in, int squeeze, int expand) {
            return new Fire(w.get("squeeze.weight", new Shape(squeeze, in, 1, 1)), w.get("squeeze.bias", new Shape(squeeze)),
                    w.get("expand1x1.weight", new Shape(expand, squeeze, 1, 1)), w.get("expand1x1.bias", new Shape(expand)),
                    w.get("expand3x3.weight", new Shape(expand, squeeze, 3, 3)), w.get("expand3x3.bias", new Shape(expand)));
        }

        NDArray forward(NDArray x) {
            NDArray s = Activations.relu(TorchKernels.conv2d(x, squeezeW, squeezeB, 1, 0));
            NDArray a = Activations.relu(TorchKernels.conv2d(s, e1W, e1B, 1, 0));
            NDArray b = Activations.relu(TorchKernels.conv2d(s, e3W, e3B, 1, 1));
            return a.concat(b, 1);
        }
    }

    public LpipsSqueeze(Weights w) {
        this.manager = w.manager();
        this.device = w.device();
        Weights net = w.sub("net.slices");
        this.conv0Weight = net.get("0.0.weight", new Shape(64, 3, 3, 3));
        this.conv0Bias = net.get("0.0.bias", new Shape(64));
        slices.add(List.of(Fire.of(net.sub("1.3"), 64, 16, 64), Fire.of(net.sub("1.4"), 128, 16, 64)));
        slices.add(List.of(Fire.of(net.sub("2.6"), 128, 32, 128), Fire.of(net.sub("2.7"), 256, 32, 128)));
        slices.add(List.of(Fire.of(net.sub("3.9"), 256, 48, 192)));
        slices.add(List.of(Fire.of(net.sub("4.10"), 384, 48, 192)));
        slices.add(List.of(Fire.of(net.sub("5.11"), 384, 64, 256)));
        slices.add(List.of(Fire.of(net.sub("6.12"), 512, 64, 256)));
        for (int k = 0; k < CHANNELS.length; k++) heads.add(w.get("lin" + k + ".model.1.weight", new Shape(1, CHANNELS[k], 1, 1)));
    }

    /**
     * From {@code weights.safetensors}, a {@code .pth} state dict of torchmetrics' LPIPS module, or the
     * two published files (torchvision {@code squeezenet1_1-*.pth} and LPIPS {@code squeeze.pth}).
     */
    public static LpipsSqueeze load(Path dir, EngineDevice device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            Path safetensors = dir.resolve("weights.safetensors");
            if (Files.isRegularFile(safetensors)) return new LpipsSqueeze(Weights.checkpoint(device, manager, safetensors));
            try (PthCheckpoint checkpoint = PthCheckpoint.open(ModelFiles.allPth(dir), device, manager, LpipsSqueeze::lpipsKey)) {
                return new LpipsSqueeze(checkpoint.weights());
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * torchmetrics' module keys from either its own state dict ({@code lins.*} duplicates dropped) or
     * the published pair: torchvision's {@code squeezenet1_1} ({@code features.N.*}, classifier dropped)
     * plus LPIPS' {@code squeeze.pth} heads ({@code linK.model.1.weight}).
     */
    static String lpipsKey(String key) {
        if (key.startsWith("lins.") || key.startsWith("classifier.")) return null;
        if (key.startsWith("features.")) {
            int dot = key.indexOf('.', 9);
            int layer = Integer.parseInt(key.substring(9, dot));
            int slice = layer <= 1 ? 0 : layer <= 4 ? 1 : layer <= 7 ? 2 : layer <= 9 ? 3 : layer - 6;
            return "net.slices." + slice + "." + layer + key.substring(dot);
        }
        return key;
    }

    /** The network input for an image: PIL bilinear 256x256, then [−1, 1]. */
    public static float[] preprocess(RgbImage image) {
        return TensorImages.chw(image.resized(SIZE, SIZE, PilResize.Filter.BILINEAR), 2f / 255f, -1f);
    }

    @Override
    public double[][] distances(List<RgbImage> a, List<RgbImage> b) {
        return distances(a, b, 1);
    }

    @Override
    public double[][] distances(List<RgbImage> a, List<RgbImage> b, int batch) {
        JniUtils.setGradMode(false);
        try (NDManager scope = manager.newSubManager()) {
            NDList fa = features(scope, a, batch);
            // all of b stacked on the batch axis: one broadcast difference per (image of a, layer)
            NDList stacked = features(scope, b, batch);
            double[][] out = new double[a.size()][];
            for (int i = 0; i < a.size(); i++) {
                try (NDManager pair = scope.newSubManager()) {
                    NDList one = new NDList();
                    for (NDArray layer : fa) one.add(layer.get(i + ":" + (i + 1)));
                    float[] row = MetricTensors.host(distance(one, stacked, pair));
                    out[i] = new double[row.length];
                    for (int j = 0; j < row.length; j++) out[i][j] = row[j];
                }
            }
            return out;
        }
    }

    /** LPIPS of two network inputs {@code [1, 3, H, W]} in [−1, 1]. */
    public double distance(NDArray x0, NDArray x1) {
        JniUtils.setGradMode(false);
        try (NDManager scope = manager.newSubManager()) {
            return MetricTensors.host(distance(features(x0), features(x1), scope))[0];
        }
    }

    /** Distances {@code [B]} between one image's features and a batch of B images' features. */
    private NDArray distance(NDList f0, NDList f1, NDManager scope) {
        NDArray total = null;
        for (int k = 0; k < f0.size(); k++) {
            NDArray diff = f1.get(k).sub(f0.get(k));
            diff.attach(scope);
            NDArray weighted = TorchKernels.conv2d(diff.mul(diff), heads.get(k), null, 1, 0);
            long cells = weighted.getShape().get(2) * weighted.getShape().get(3);
            NDArray mean = weighted.sum(new int[] {1, 2, 3}).div(cells);
            total = total == null ? mean : total.add(mean);
        }
        return total;
    }

    /** The seven unit-normalised feature maps of {@code images}, each layer stacked on the batch axis. */
    private NDList features(NDManager scope, List<RgbImage> images, int batch) {
        List<NDList> chunks = new ArrayList<>();
        for (List<RgbImage> chunk : tenshot.scoring.Batches.of(images, batch)) {
            chunks.add(features(MetricTensors.images(scope, device, chunk.stream().map(LpipsSqueeze::preprocess).toList(), 3, SIZE, SIZE)));
        }
        if (chunks.size() == 1) return chunks.get(0);
        NDList stacked = new NDList();
        for (int k = 0; k < CHANNELS.length; k++) {
            NDList layer = new NDList();
            for (NDList f : chunks) layer.add(f.get(k));
            stacked.add(ai.djl.ndarray.NDArrays.concat(layer, 0));
        }
        return stacked;
    }

    /** The seven unit-normalised feature maps of a batch. */
    private NDList features(NDArray x) {
        NDManager m = x.getManager();
        NDArray shift = m.create(SHIFT, new Shape(1, 3, 1, 1)).toType(device.dtype(), false);
        NDArray scale = m.create(SCALE, new Shape(1, 3, 1, 1)).toType(device.dtype(), false);
        NDArray h = x.sub(shift).div(scale);
        NDList out = new NDList();
        h = Activations.relu(TorchKernels.conv2d(h, conv0Weight, conv0Bias, 2, 0));
        out.add(unit(h));
        for (int s = 0; s < slices.size(); s++) {
            if (s < 3) h = Pooling.max(h, 3, 2, 0, true);
            for (Fire f : slices.get(s)) h = f.forward(h);
            out.add(unit(h));
        }
        return out;
    }

    private static NDArray unit(NDArray x) {
        NDArray norm = x.mul(x).sum(new int[] {1}, true).sqrt();
        return x.div(norm.add(1e-10f));
    }

    @Override
    public void close() {
        manager.close();
    }
}

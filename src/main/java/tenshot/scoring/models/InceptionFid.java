package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.Activations;
import tenshot.diffusion.nn.BatchNorm2d;
import tenshot.diffusion.nn.Pooling;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.FidModel;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TensorImages;
import tenshot.scoring.image.TfBilinear;
import tenshot.scoring.pth.PthCheckpoint;

/**
 * The 64-dimensional FID features of torch-fidelity's InceptionV3 ({@code pt_inception-2015-12-05}):
 * uint8 pixels resized to 299 (TF-1.x bilinear or antialiased), {@code (x − 128) / 128}, then
 * Conv2d_1a_3x3 (stride 2), Conv2d_2a_3x3, Conv2d_2b_3x3 (padding 1) — each conv without bias, BatchNorm
 * with eps 1e-3, ReLU — then max-pool 3/2 and a global average over space.
 */
public final class InceptionFid implements FidModel, AutoCloseable {

    static final int SIZE = 299;

    private final NDManager manager;
    private final EngineDevice device;
    private final BasicConv conv1a;
    private final BasicConv conv2a;
    private final BasicConv conv2b;

    /** torch-fidelity's BasicConv2d: conv (no bias), BatchNorm eps 1e-3, ReLU. */
    private record BasicConv(NDArray weight, BatchNorm2d bn, int stride, int padding) {
        static BasicConv of(Weights w, int in, int out, int stride, int padding) {
            return new BasicConv(w.get("conv.weight", new Shape(out, in, 3, 3)), new BatchNorm2d(w.sub("bn"), out, 1e-3),
                    stride, padding);
        }

        NDArray forward(NDArray x) {
            return Activations.relu(bn.forward(TorchKernels.conv2d(x, weight, null, stride, padding)));
        }
    }

    public InceptionFid(Weights weights) {
        this.manager = weights.manager();
        this.device = weights.device();
        this.conv1a = BasicConv.of(weights.sub("Conv2d_1a_3x3"), 3, 32, 2, 0);
        this.conv2a = BasicConv.of(weights.sub("Conv2d_2a_3x3"), 32, 32, 1, 0);
        this.conv2b = BasicConv.of(weights.sub("Conv2d_2b_3x3"), 32, 64, 1, 1);
    }

    /** From {@code weights.safetensors} or {@code weights.pth} in {@code dir}. */
    public static InceptionFid load(Path dir, EngineDevice device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            Path safetensors = dir.resolve("weights.safetensors");
            if (Files.isRegularFile(safetensors)) return new InceptionFid(Weights.checkpoint(device, manager, safetensors));
            Path pth = ModelFiles.pth(dir);
            try (PthCheckpoint checkpoint = PthCheckpoint.open(pth, device, manager, null)) {
                return new InceptionFid(checkpoint.weights());
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public double[] features(RgbImage image, boolean antialias) {
        return featuresAll(java.util.List.of(image), antialias, 1).get(0);
    }

    @Override
    public java.util.List<double[]> featuresAll(java.util.List<RgbImage> images, boolean antialias, int batch) {
        JniUtils.setGradMode(false);
        java.util.List<double[]> out = new java.util.ArrayList<>();
        for (java.util.List<RgbImage> chunk : tenshot.scoring.Batches.of(images, batch)) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = MetricTensors.images(scope, device, chunk.stream().map(i -> input(i, antialias)).toList(), 3, SIZE, SIZE);
                x = conv2b.forward(conv2a.forward(conv1a.forward(x)));
                x = Pooling.max(x, 3, 2, 0, false);
                long cells = x.getShape().get(2) * x.getShape().get(3);
                for (float[] f : MetricTensors.rows(x.sum(new int[] {2, 3}).div(cells))) {
                    double[] d = new double[f.length];
                    for (int i = 0; i < f.length; i++) d[i] = f[i];
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** The network input of an image: resized to 299 on the host, then {@code (x − 128) / 128}. */
    private static float[] input(RgbImage image, boolean antialias) {
        float[] raw = TensorImages.chw(image, 1f, 0f);
        float[] resized = antialias
                ? TfBilinear.antialiased(raw, 3, image.height(), image.width(), SIZE, SIZE)
                : TfBilinear.tf1x(raw, 3, image.height(), image.width(), SIZE, SIZE);
        for (int i = 0; i < resized.length; i++) resized[i] = (resized[i] - 128f) / 128f;
        return resized;
    }

    @Override
    public void close() {
        manager.close();
    }
}

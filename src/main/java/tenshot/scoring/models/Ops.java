package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import tenshot.diffusion.nn.TorchKernels;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.Weights;

/** Small tensor helpers shared by the metric networks (torch semantics, inference only). */
final class Ops {

    private Ops() {}

    static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        return TorchKernels.conv2d(x, weight, bias, stride, padding);
    }

    static NDArray relu(NDArray x) {
        return JniUtils.relu((PtNDArray) x);
    }

    static NDArray maxPool(NDArray x, int kernel, int stride, int padding, boolean ceil) {
        return JniUtils.maxPool((PtNDArray) x, new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), ceil);
    }

    static NDArray avgPool(NDArray x, int kernel, int stride) {
        return JniUtils.avgPool((PtNDArray) x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0),
                false, true);
    }

    /** A float CHW host image as a {@code [1, C, H, W]} tensor on the engine device, in the engine dtype. */
    static NDArray image(NDManager manager, EngineDevice device, float[] chw, int channels, int height, int width) {
        NDArray x = manager.create(chw, new Shape(1, channels, height, width));
        NDArray onDevice = x.toDevice(device.device(), false);
        return onDevice.getDataType() == device.dtype() ? onDevice : onDevice.toType(device.dtype(), false);
    }

    /** Float CHW host images of one size as a {@code [B, C, H, W]} tensor on the engine device, in the engine dtype. */
    static NDArray images(NDManager manager, EngineDevice device, java.util.List<float[]> chw, int channels, int height,
            int width) {
        int each = channels * height * width;
        float[] all = new float[each * chw.size()];
        for (int i = 0; i < chw.size(); i++) {
            if (chw.get(i).length != each) throw new IllegalArgumentException("image " + i + " has " + chw.get(i).length
                    + " values, expected " + each);
            System.arraycopy(chw.get(i), 0, all, i * each, each);
        }
        NDArray x = manager.create(all, new Shape(chw.size(), channels, height, width));
        NDArray onDevice = x.toDevice(device.device(), false);
        return onDevice.getDataType() == device.dtype() ? onDevice : onDevice.toType(device.dtype(), false);
    }

    /** The rows of a {@code [B, D]} tensor on the host, as float32. */
    static java.util.List<float[]> rows(NDArray x) {
        int b = (int) x.getShape().get(0);
        float[] all = host(x);
        int d = all.length / b;
        java.util.List<float[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < b; i++) out.add(java.util.Arrays.copyOfRange(all, i * d, (i + 1) * d));
        return out;
    }

    /** The tensor's elements on the host, as float32. */
    static float[] host(NDArray x) {
        NDArray f = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        return f.toDevice(ai.djl.Device.cpu(), false).toFloatArray();
    }

    /** Eval-mode torch.nn.BatchNorm2d with its running statistics. */
    static final class BatchNorm {
        private final NDArray weight;
        private final NDArray bias;
        private final NDArray mean;
        private final NDArray var;
        private final double eps;

        BatchNorm(Weights w, int channels, double eps) {
            Shape s = new Shape(channels);
            this.weight = w.get("weight", s);
            this.bias = w.get("bias", s);
            this.mean = w.get("running_mean", s);
            this.var = w.get("running_var", s);
            this.eps = eps;
        }

        NDArray forward(NDArray x) {
            return JniUtils.batchNorm((PtNDArray) x, (PtNDArray) mean, (PtNDArray) var, (PtNDArray) weight,
                    (PtNDArray) bias, false, 0.1, eps);
        }
    }
}

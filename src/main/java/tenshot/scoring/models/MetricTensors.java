package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import tenshot.diffusion.EngineDevice;

/** Host images in and embeddings out of the metric networks, on the engine's device and dtype. */
final class MetricTensors {

    private MetricTensors() {}

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
}

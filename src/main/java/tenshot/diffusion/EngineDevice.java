package tenshot.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * Where the engine runs and in which precision its frozen weights live: fp16 on CUDA, fp32 on the
 * CPU. Parsed from configuration strings such as {@code cpu}, {@code cuda} or {@code cuda:1}.
 */
public record EngineDevice(Device device, DataType dtype) {

    public static EngineDevice cpu() {
        return new EngineDevice(Device.cpu(), DataType.FLOAT32);
    }

    public static EngineDevice parse(String spec) {
        String s = spec == null ? "cpu" : spec.trim().toLowerCase();
        if (s.equals("cpu")) return cpu();
        if (s.equals("cuda") || s.equals("gpu")) return new EngineDevice(Device.gpu(0), DataType.FLOAT16);
        if (s.startsWith("cuda:") || s.startsWith("gpu:")) {
            try {
                int index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
                return new EngineDevice(Device.gpu(index), DataType.FLOAT16);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, cuda or cuda:N");
    }

    public boolean isGpu() {
        return device.isGpu();
    }

    @Override
    public String toString() {
        return (device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu") + " " + dtype.name().toLowerCase();
    }
}

package tenshot.diffusion;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The PyTorch engine a device runs on: what it is (for the worker's start-up log) and whether it can
 * run the device at all. A CUDA device needs a CUDA build of libtorch; the build ships DJL's CPU build,
 * so CUDA comes from {@code PYTORCH_LIBRARY_PATH} (docs/operations.md, "CUDA workers").
 */
public final class EngineRuntime {

    private EngineRuntime() {}

    /**
     * Loads PyTorch and checks that it can run {@code device}.
     *
     * @throws IllegalStateException naming what is missing and how to provide it
     */
    public static void requireUsable(EngineDevice device) {
        Engine engine = Engine.getEngine("PyTorch");
        if (!device.isGpu()) return;
        if (!engine.hasCapability(StandardCapabilities.CUDA)) {
            throw new IllegalStateException("device " + device + " needs a CUDA build of PyTorch, but the PyTorch "
                    + engine.getVersion() + " loaded from " + LibUtils.getLibtorchPath() + " has no CUDA. Point the worker"
                    + " at a CUDA libtorch: PYTORCH_LIBRARY_PATH=<libtorch>/lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128"
                    + " (the libtorch 2.7.1+cu128 of pytorch.org, or the torch/lib folder of pip's torch==2.7.1 for CUDA"
                    + " 12.8); see docs/operations.md, \"CUDA workers\"");
        }
        int gpus = engine.getGpuCount();
        if (device.device().getDeviceId() >= gpus) {
            throw new IllegalStateException("device " + device + " does not exist: PyTorch sees " + gpus + " GPU(s)");
        }
    }

    /** One line: engine and library, and for a GPU its model, compute capability and memory. */
    public static String describe(EngineDevice device) {
        Engine engine = Engine.getEngine("PyTorch");
        StringBuilder out = new StringBuilder("PyTorch ").append(engine.getVersion()).append(" from ")
                .append(LibUtils.getLibtorchPath());
        if (engine.hasCapability(StandardCapabilities.CUDA)) {
            out.append(", CUDA ").append(ai.djl.util.cuda.CudaUtils.getCudaVersionString());
            if (engine.hasCapability(StandardCapabilities.CUDNN)) out.append(" with cuDNN");
        }
        out.append("; device ").append(device);
        if (device.isGpu()) {
            int id = device.device().getDeviceId();
            out.append(": ").append(gpuModel(id)).append(", compute capability ")
                    .append(ai.djl.util.cuda.CudaUtils.getComputeCapability(id))
                    .append(String.format(", %.1f GiB", DeviceMemory.total(device) / (double) (1L << 30)));
        }
        return out.toString();
    }

    /** The GPU's model name as the NVIDIA driver reports it, or "GPU N" where the driver's proc file is absent. */
    private static String gpuModel(int index) {
        Path gpus = Path.of("/proc/driver/nvidia/gpus");
        if (Files.isDirectory(gpus)) {
            try (Stream<Path> entries = Files.list(gpus)) {
                Path[] sorted = entries.sorted().toArray(Path[]::new);
                if (index < sorted.length) {
                    for (String line : Files.readAllLines(sorted[index].resolve("information"))) {
                        if (line.startsWith("Model:")) return line.substring(6).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the generic name
            }
        }
        return "GPU " + index;
    }
}

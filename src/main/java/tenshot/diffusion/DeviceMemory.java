package tenshot.diffusion;

import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;

/**
 * Device memory as the benchmarks and the worker report it. DJL does not expose PyTorch's allocator
 * statistics, so the caching allocator's pool (what {@code torch.cuda.memory_reserved} counts) is read
 * as the device memory in use above a baseline taken with the pool emptied: the pool only grows until it
 * is emptied again, so a reading after a piece of work is that work's reserved peak.
 */
public final class DeviceMemory {

    private final EngineDevice device;
    private final long baseline;

    private DeviceMemory(EngineDevice device) {
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
        this.device = device;
        this.baseline = device.isGpu() ? emptyPoolAndRead(device) : 0;
    }

    /** Empties PyTorch's pool and remembers what the device holds without it (the CUDA context, other processes). */
    public static DeviceMemory baseline(EngineDevice device) {
        return new DeviceMemory(device);
    }

    /** Bytes in use on the device (the whole card, as nvidia-smi shows it), or -1 on the CPU. */
    public static long inUse(EngineDevice device) {
        return device.isGpu() ? CudaUtils.getGpuMemory(device.device()).getUsed() : -1;
    }

    /** Total bytes of the device, or -1 on the CPU. */
    public static long total(EngineDevice device) {
        return device.isGpu() ? CudaUtils.getGpuMemory(device.device()).getMax() : -1;
    }

    /**
     * PyTorch's pool now: live tensors plus cached blocks. Read after a piece of work that started with
     * {@link #releaseCached()}, it is that work's reserved peak (live weights included, as PyTorch counts them).
     */
    public long pool() {
        return device.isGpu() ? inUse(device) - baseline : -1;
    }

    /** Returns the pool's unused cached blocks to the device, so the next {@link #pool()} covers only what follows. */
    public void releaseCached() {
        if (device.isGpu()) JniUtils.emptyCudaCache();
    }

    private static long emptyPoolAndRead(EngineDevice device) {
        JniUtils.emptyCudaCache();
        return inUse(device);
    }
}

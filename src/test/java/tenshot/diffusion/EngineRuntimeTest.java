package tenshot.diffusion;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The engine check a worker runs at start, on a machine with DJL's CPU build of PyTorch (as CI has). */
class EngineRuntimeTest {

    @Test
    void aCudaDeviceOnTheCpuBuildIsRefusedWithTheFix() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> EngineRuntime.requireUsable(EngineDevice.parse("cuda")));
        assertTrue(refused.getMessage().contains("has no CUDA"), refused.getMessage());
        assertTrue(refused.getMessage().contains("PYTORCH_LIBRARY_PATH"), refused.getMessage());
    }

    @Test
    void theCpuRunsAndIsDescribed() {
        EngineRuntime.requireUsable(EngineDevice.cpu());
        String line = EngineRuntime.describe(EngineDevice.cpu());
        assertTrue(line.startsWith("PyTorch 2."), line);
        assertTrue(line.endsWith("device cpu float32"), line);
    }
}

package tenshot.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

class AutoencoderKLTest {

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float error = actual.sub(expected).abs().max().getFloat();
        assertTrue(error <= 1e-4f, what + " max abs error " + error);
    }

    @TempDir Path dir;

    @Test
    void readsCheckpointsWithPre014AttentionNames() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            Path tiny = Fixtures.tinySd21().resolve("vae");
            SafetensorsFile original = SafetensorsFile.open(tiny.resolve("diffusion_pytorch_model.safetensors"));
            Map<String, NDArray> renamed = new LinkedHashMap<>();
            for (String key : original.keys()) {
                String legacy = key.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                        .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
                renamed.put(legacy, original.load(key, m));
            }
            Path folder = Files.createDirectories(dir.resolve("vae"));
            Files.copy(tiny.resolve("config.json"), folder.resolve("config.json"));
            SafetensorsWriter.write(folder.resolve("diffusion_pytorch_model.safetensors"), renamed, Map.of());
            AutoencoderKL vae = AutoencoderKL.load(folder, EngineDevice.cpu(), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("vae.safetensors"));
            assertClose(golden.load("decoded", m), vae.decode(golden.load("mean", m)), "decoded (legacy names)");
        }
    }

    @Test
    void encodesAndDecodesLikeDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            AutoencoderKL vae = AutoencoderKL.load(Fixtures.tinySd21().resolve("vae"), EngineDevice.cpu(), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("vae.safetensors"));
            AutoencoderKL.Posterior posterior = vae.encode(golden.load("image", m));
            assertClose(golden.load("mean", m), posterior.mean(), "mean");
            assertClose(golden.load("logvar", m), posterior.logvar(), "logvar");
            assertClose(golden.load("decoded", m), vae.decode(golden.load("mean", m)), "decoded");
            assertEquals(0.18215, vae.scalingFactor(), 1e-12);
        }
    }
}

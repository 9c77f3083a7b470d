package tenshot.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

class AutoencoderKLTest {

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float error = actual.sub(expected).abs().max().getFloat();
        assertTrue(error <= 1e-4f, what + " max abs error " + error);
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

package tenshot.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

class ClipTextModelTest {

    @Test
    void matchesTransformersOnTheGoldenPrompts() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            ClipTextModel model = ClipTextModel.load(Fixtures.tinySd21().resolve("text_encoder"), EngineDevice.cpu(), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("text_encoder.safetensors"));
            ClipTextModel.Output out = model.encode(golden.load("input_ids", m));
            NDArray expected = golden.load("last_hidden_state", m);
            assertEquals(expected.getShape(), out.lastHiddenState().getShape());
            float error = out.lastHiddenState().sub(expected).abs().max().getFloat();
            assertTrue(error <= 1e-4f, "last_hidden_state max abs error " + error);
            float penultimate = out.penultimateHiddenState().sub(golden.load("penultimate_hidden_state", m))
                    .abs().max().getFloat();
            assertTrue(penultimate <= 1e-4f, "penultimate_hidden_state max abs error " + penultimate);
        }
    }
}

package tenshot.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

class UNet2DConditionModelTest {

    @Test
    void matchesDiffusersOnTheGoldenInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray out = unet.forward(golden.load("sample", m), golden.load("timestep", m),
                    golden.load("encoder_hidden_states", m));
            NDArray expected = golden.load("out", m);
            assertEquals(expected.getShape(), out.getShape());
            float error = out.sub(expected).abs().max().getFloat();
            assertTrue(error <= 1e-4f, "UNet max abs error " + error);
        }
    }

    @Test
    void oddLatentSizesUpsampleToTheSkipConnections() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            NDArray out = unet.forward(m.randomNormal(new ai.djl.ndarray.types.Shape(1, 4, 9, 13)), m.create(500L),
                    m.randomNormal(new ai.djl.ndarray.types.Shape(1, 77, 32)));
            assertEquals(new ai.djl.ndarray.types.Shape(1, 4, 9, 13), out.getShape());
        }
    }
}

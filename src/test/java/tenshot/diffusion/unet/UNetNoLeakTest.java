package tenshot.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/** Repeated forwards inside a scope leave no arrays behind in the model's manager or the inputs'. */
class UNetNoLeakTest {

    @Test
    void repeatedForwardsLeaveNoLiveArrays() {
        try (NDManager model = NDManager.newBaseManager(); NDManager inputs = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), model);
            LoraSet lora = LoraSet.load(Fixtures.golden("lora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), 0.7, model, DataType.FLOAT32);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray sample = golden.load("sample", inputs);
            NDArray timestep = golden.load("timestep", inputs);
            NDArray context = golden.load("encoder_hidden_states", inputs);
            int modelArrays = -1;
            int inputArrays = -1;
            for (int i = 0; i < 5; i++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    unet.forward(sample, timestep, context).sum().getFloat();
                }
                if (i == 0) {
                    // The first call may create shared constants (norm identities) once.
                    modelArrays = model.getManagedArrays().size();
                    inputArrays = inputs.getManagedArrays().size();
                }
            }
            assertEquals(modelArrays, model.getManagedArrays().size(), "arrays left in the model's manager");
            assertEquals(inputArrays, inputs.getManagedArrays().size(), "arrays left in the inputs' manager");
            assertEquals(3, inputArrays);
            lora.close();
        }
    }
}

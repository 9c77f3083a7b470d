package tenshot.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * The fp16 engine path (fp16 weights, fp32 attention scores, fp32 adapters) exercised on the CPU: the
 * output stays close to the fp32 reference, within half-precision rounding.
 */
class UNetHalfPrecisionTest {

    @Test
    void fp16WeightsWithFp32AdaptersTrackTheReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            EngineDevice half = new EngineDevice(Device.cpu(), DataType.FLOAT16);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), half, m);
            LoraSet.load(Fixtures.golden("lora/pytorch_lora_weights.safetensors"), Map.of("unet", unet.linears()), 1.0,
                    m, DataType.FLOAT32);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray out = unet.forward(golden.load("sample", m, DataType.FLOAT16), golden.load("timestep", m),
                    golden.load("encoder_hidden_states", m, DataType.FLOAT16));
            assertEquals(DataType.FLOAT16, out.getDataType());
            NDArray expected = SafetensorsFile.open(Fixtures.golden("unet_lora.safetensors")).load("out_with_lora", m);
            float error = out.toType(DataType.FLOAT32, false).sub(expected).abs().max().getFloat();
            float scale = expected.abs().max().getFloat();
            assertTrue(error <= 2e-2f * Math.max(1f, scale), "fp16 max abs error " + error + " (output scale " + scale + ")");
        }
    }
}

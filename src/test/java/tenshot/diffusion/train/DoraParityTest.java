package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.GoldenParity;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.LoraSpec;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * DoRA against diffusers + peft ({@code golden/dora/}): the UNet output with the adapter, one DreamBooth
 * step's losses, every gradient (magnitudes included), the clipped norm and the weights after AdamW, at
 * the LoRA goldens' bars; and the file Tenshot writes has diffusers' keys and shapes.
 */
class DoraParityTest {

    private static final Path ADAPTER = Fixtures.golden("dora/pytorch_lora_weights.safetensors");

    @Test
    void forwardMatchesPeft() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            SafetensorsFile inputs = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray expected = SafetensorsFile.open(Fixtures.golden("dora/train_step.safetensors")).load("out_with_dora", m);
            try (LoraSet dora = LoraSet.load(ADAPTER, Map.of("unet", unet.linears()), 1.0, m, DataType.FLOAT32)) {
                assertTrue(dora.attached().stream().allMatch(a -> a.adapter().isDora()));
                NDArray out = unet.forward(inputs.load("sample", m), inputs.load("timestep", m), inputs.load("encoder_hidden_states", m));
                float error = out.sub(expected).abs().max().getFloat();
                assertTrue(error <= 1e-4f, "UNet output with DoRA off by " + error);
                // Merged into the weights, DoRA must compute the same layer.
                dora.fuse();
                NDArray fused = unet.forward(inputs.load("sample", m), inputs.load("timestep", m), inputs.load("encoder_hidden_states", m));
                float fusedError = fused.sub(expected).abs().max().getFloat();
                assertTrue(fusedError <= 1e-4f, "UNet output with DoRA fused off by " + fusedError);
            }
        }
    }

    @Test
    void oneStepMatchesPeftLossGradientsAndUpdate() {
        List<GoldenParity.Check> checks = new GoldenParity(Fixtures.tinySd21().getParent(), EngineDevice.cpu()).trainStep(GoldenParity.DORA);
        // 384 gradients: 128 adapted layers, each with its LoRA pair and its magnitude vector
        assertEquals(List.of("DoRA train step loss", "DoRA train step instance loss", "DoRA train step prior loss",
                        "DoRA train step gradients (384)", "DoRA train step grad norm before clipping", "DoRA train step weights after AdamW from the golden gradients"),
                checks.stream().map(GoldenParity.Check::name).toList());
        for (GoldenParity.Check c : checks) assertTrue(c.passed(), c.name() + ": " + c.error() + " > " + c.tolerance());
    }

    @Test
    void savedFileHasDiffusersKeysAndLoadsBack(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            Path written = dir.resolve("pytorch_lora_weights.safetensors");
            try (LoraSet fresh = LoraSet.createTrainable(
                    List.of(new LoraSpec("unet", unet.linears(), LoraSpec.UNET_ATTENTION, 4, 4, true)), 7, m)) {
                // peft starts the magnitude at the weight's row norms, so a fresh DoRA layer is the base layer.
                for (LoraSet.Attached a : fresh.attached()) {
                    NDArray norms = a.linear().weight().square().sum(new int[] {1}).sqrt();
                    assertTrue(norms.sub(a.adapter().magnitude()).abs().max().getFloat() <= 1e-6f, a.module());
                }
                fresh.save(written, Map.of());
            }
            SafetensorsFile ours = SafetensorsFile.open(written);
            SafetensorsFile theirs = SafetensorsFile.open(ADAPTER);
            assertEquals(shapes(theirs), shapes(ours));
            assertTrue(ours.metadata().get(LoraSet.ADAPTER_METADATA_KEY).contains("\"unet.use_dora\":true"),
                    ours.metadata().get(LoraSet.ADAPTER_METADATA_KEY));

            // The golden adapter written by Tenshot and read back gives peft's output again.
            SafetensorsFile inputs = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray expected = SafetensorsFile.open(Fixtures.golden("dora/train_step.safetensors")).load("out_with_dora", m);
            Path copy = dir.resolve("copy.safetensors");
            try (LoraSet golden = LoraSet.load(ADAPTER, Map.of("unet", unet.linears()), 1.0, m, DataType.FLOAT32)) {
                golden.save(copy, Map.of());
            }
            assertTrue(Files.size(copy) > 0);
            try (LoraSet back = LoraSet.load(copy, Map.of("unet", unet.linears()), 1.0, m, DataType.FLOAT32)) {
                NDArray out = unet.forward(inputs.load("sample", m), inputs.load("timestep", m), inputs.load("encoder_hidden_states", m));
                float error = out.sub(expected).abs().max().getFloat();
                assertTrue(error <= 1e-4f, "UNet output with the rewritten DoRA off by " + error);
            }
        }
    }

    private static Map<String, String> shapes(SafetensorsFile file) {
        Map<String, String> out = new TreeMap<>();
        for (String key : file.keys()) out.put(key, file.entry(key).shape().toString());
        return out;
    }
}

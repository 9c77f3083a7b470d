package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.LoraSpec;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
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
    void oneStepMatchesPeftLossGradientsAndUpdate() throws Exception {
        Path model = Fixtures.tinySd21();
        GoldenTensors inputs = new GoldenTensors(Fixtures.golden("train_step.safetensors"));
        GoldenTensors golden = new GoldenTensors(Fixtures.golden("dora/train_step.safetensors"));
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(model.resolve("unet"), EngineDevice.cpu(), manager);
            LoraSet dora = LoraSet.loadTrainable(ADAPTER, Map.of("unet", unet.linears()), manager);
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, String> diffusersNames = new LinkedHashMap<>();
            for (LoraSet.Parameter p : dora.parameters()) {
                params.put(p.peftName(), p.array());
                diffusersNames.put(p.peftName(), p.diffusersName());
            }
            assertEquals(384, params.size());
            NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.load(model.resolve("scheduler/scheduler_config.json")));
            try (AdamW adamW = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2), manager)) {
                adamW.addGroup(params, 1e-4);
                adamW.zeroGradients();
                JniUtils.setGradMode(true);
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    DreamBoothObjective.Loss loss = new DreamBoothObjective(schedule, 1.0).loss(
                            (x, t, c) -> unet.forward(x, manager.create(t), c), inputs.get("latents").toArray(manager),
                            inputs.get("noise").toArray(manager), inputs.get("timesteps").longs(),
                            inputs.get("encoder_hidden_states").toArray(manager), DataType.FLOAT32);
                    collector.backward(loss.total());
                    assertEquals(golden.get("loss").floats()[0], loss.total().getFloat(), 1e-5);
                    assertEquals(golden.get("loss_instance").floats()[0], loss.instance().getFloat(), 1e-5);
                    assertEquals(golden.get("loss_prior").floats()[0], loss.prior().getFloat(), 1e-5);
                } finally {
                    JniUtils.setGradMode(false);
                }
                double worstGrad = 0;
                String worstKey = "";
                int magnitudes = 0;
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    if (e.getKey().contains("lora_magnitude_vector")) magnitudes++;
                    float[] expected = golden.get("grad." + e.getKey()).floats();
                    try (NDArray g = JniUtils.getGradient((PtNDArray) e.getValue())) {
                        float[] actual = g.toFloatArray();
                        for (int i = 0; i < actual.length; i++) {
                            double d = Math.abs(actual[i] - expected[i]);
                            if (d > worstGrad) {
                                worstGrad = d;
                                worstKey = e.getKey();
                            }
                        }
                    }
                }
                assertEquals(128, magnitudes);
                assertTrue(worstGrad <= 1e-5, "worst DoRA gradient error " + worstGrad + " at " + worstKey);
                try (NDArray norm = GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0)) {
                    float expected = golden.get("grad_norm_before_clip").floats()[0];
                    assertEquals(expected, norm.getFloat(), 1e-5 * Math.max(1, expected));
                }
                adamW.step(1.0);
            }
            double worst = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                float[] actual = e.getValue().toFloatArray();
                float[] expected = golden.get("after_step." + diffusersNames.get(e.getKey())).floats();
                for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            }
            assertTrue(worst <= 1e-5, "worst DoRA weight error after one AdamW step: " + worst);
            dora.close();
        }
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

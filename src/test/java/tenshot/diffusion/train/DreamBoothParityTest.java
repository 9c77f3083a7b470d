package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.GoldenParity;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.testing.Fixtures;

/** One DreamBooth step on tiny-sd21 against diffusers + peft + torch AdamW (golden/train_step.*). */
class DreamBoothParityTest {

    @Test
    void oneStepMatchesDiffusersLossGradientsAndUpdate() {
        List<GoldenParity.Check> checks = new GoldenParity(Fixtures.tinySd21().getParent(), EngineDevice.cpu()).trainStep(GoldenParity.LORA);
        assertEquals(List.of("LoRA train step loss", "LoRA train step instance loss", "LoRA train step prior loss",
                        "LoRA train step gradients (256)", "LoRA train step grad norm before clipping", "LoRA train step weights after AdamW from the golden gradients"),
                checks.stream().map(GoldenParity.Check::name).toList());
        for (GoldenParity.Check c : checks) assertTrue(c.passed(), c.name() + ": " + c.error() + " > " + c.tolerance());
    }

    /**
     * The CUDA recipe (frozen fp16 UNet, fp32 LoRA and loss) exercised on the CPU: gradients reach the
     * fp32 adapters through the fp16 layers and stay close to the fp32 reference.
     */
    @Test
    void mixedPrecisionStepKeepsGradientsOnFp32Adapters() throws Exception {
        Path model = Fixtures.tinySd21();
        GoldenTensors golden = new GoldenTensors(Fixtures.golden("train_step.safetensors"));
        EngineDevice half = new EngineDevice(ai.djl.Device.cpu(), DataType.FLOAT16);
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(model.resolve("unet"), half, manager);
            LoraSet lora = LoraSet.loadTrainable(Fixtures.golden("lora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), manager);
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (LoraSet.Parameter p : lora.parameters()) {
                assertEquals(DataType.FLOAT32, p.array().getDataType(), p.peftName());
                params.put(p.peftName(), p.array());
            }
            NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.load(model.resolve("scheduler/scheduler_config.json")));
            NDArray context = golden.get("encoder_hidden_states").toArray(manager).toType(DataType.FLOAT16, false);
            try (AdamW adamW = new AdamW(AdamW.Settings.torchDefaults(), manager)) {
                adamW.addGroup(params, 1e-4);
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    DreamBoothObjective.Loss loss = new DreamBoothObjective(schedule, 1.0).loss(
                            (x, t, c) -> unet.forward(x, manager.create(t), c), golden.get("latents").toArray(manager),
                            golden.get("noise").toArray(manager), golden.get("timesteps").longs(), context, DataType.FLOAT16);
                    assertEquals(DataType.FLOAT32, loss.total().getDataType());
                    collector.backward(loss.total());
                    float expected = golden.get("loss").floats()[0];
                    assertEquals(expected, loss.total().getFloat(), 1e-2 * expected);
                }
                double worst = 0;
                double largest = 0;
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    float[] expected = golden.get("grad." + e.getKey()).floats();
                    try (NDArray g = JniUtils.getGradient((PtNDArray) e.getValue())) {
                        assertEquals(DataType.FLOAT32, g.getDataType());
                        float[] actual = g.toFloatArray();
                        for (int i = 0; i < actual.length; i++) {
                            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
                            largest = Math.max(largest, Math.abs(expected[i]));
                        }
                    }
                }
                assertTrue(worst <= 2e-2 * largest, "fp16 gradients off by " + worst + " (largest gradient " + largest + ")");
            }
            lora.close();
        }
    }
}

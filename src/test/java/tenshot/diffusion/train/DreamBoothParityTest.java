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
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.testing.Fixtures;

/** One DreamBooth step on tiny-sd21 against diffusers + peft + torch AdamW (golden/train_step.*). */
class DreamBoothParityTest {

    @Test
    void oneStepMatchesDiffusersLossGradientsAndUpdate() throws Exception {
        Path model = Fixtures.tinySd21();
        GoldenTensors golden = new GoldenTensors(Fixtures.golden("train_step.safetensors"));
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(model.resolve("unet"), EngineDevice.cpu(), manager);
            LoraSet lora = LoraSet.loadTrainable(Fixtures.golden("lora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), manager);
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, String> diffusersNames = new LinkedHashMap<>();
            for (LoraSet.Parameter p : lora.parameters()) {
                params.put(p.peftName(), p.array());
                diffusersNames.put(p.peftName(), p.diffusersName());
            }
            assertEquals(256, params.size());
            NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.load(model.resolve("scheduler/scheduler_config.json")));
            NDArray latents = golden.get("latents").toArray(manager);
            NDArray noise = golden.get("noise").toArray(manager);
            NDArray context = golden.get("encoder_hidden_states").toArray(manager);
            long[] timesteps = golden.get("timesteps").longs();

            DreamBoothObjective objective = new DreamBoothObjective(schedule, 1.0);
            try (AdamW adamW = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2), manager)) {
                adamW.addGroup(params, 1e-4);
                adamW.zeroGradients();
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    DreamBoothObjective.Loss loss = objective.loss(
                            (x, t, c) -> unet.forward(x, manager.create(t), c), latents, noise, timesteps, context, DataType.FLOAT32);
                    collector.backward(loss.total());
                    assertEquals(golden.get("loss").floats()[0], loss.total().getFloat(), 1e-5);
                    assertEquals(golden.get("loss_instance").floats()[0], loss.instance().getFloat(), 1e-5);
                    assertEquals(golden.get("loss_prior").floats()[0], loss.prior().getFloat(), 1e-5);
                }
                double worstGrad = 0;
                String worstKey = "";
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
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
                assertTrue(worstGrad <= 1e-5, "worst LoRA gradient error " + worstGrad + " at " + worstKey);

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
            assertTrue(worst <= 1e-6, "worst weight error after one AdamW step: " + worst);
            lora.close();
        }
    }
}

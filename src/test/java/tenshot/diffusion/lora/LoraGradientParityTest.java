package tenshot.diffusion.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * The UNet forward is differentiable in the adapters and its backward matches peft: the loss of the
 * golden DreamBooth step and every LoRA gradient (before clipping) within 1e-5.
 */
class LoraGradientParityTest {

    @Test
    void goldenStepGradientsMatchPeft() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            LoraSet lora = LoraSet.loadTrainable(Fixtures.golden("lora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("train_step.safetensors"));
            NoiseSchedule schedule = new NoiseSchedule(
                    SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json")));
            NDArray latents = golden.load("latents", m);
            NDArray noise = golden.load("noise", m);
            NDArray timesteps = golden.load("timesteps", m);
            long[] t = timesteps.toLongArray();
            NDArray noisy = schedule.addNoise(latents, noise, t);
            NDArray target = schedule.trainingTarget(latents, noise, t);
            NDArray loss;
            JniUtils.setGradMode(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray prediction = unet.forward(noisy, timesteps, golden.load("encoder_hidden_states", m));
                NDArray instance = prediction.get(new NDIndex("0")).sub(target.get(new NDIndex("0"))).square().mean();
                NDArray prior = prediction.get(new NDIndex("1")).sub(target.get(new NDIndex("1"))).square().mean();
                loss = instance.add(prior);
                collector.backward(loss);
            }
            JniUtils.setGradMode(false);
            assertEquals(golden.load("loss", m).getFloat(0), loss.getFloat(), 1e-5);
            int compared = 0;
            float worst = 0;
            for (LoraSet.Parameter p : lora.parameters()) {
                NDArray expected = golden.load("grad." + p.peftName(), m);
                worst = Math.max(worst, p.array().getGradient().sub(expected).abs().max().getFloat());
                compared++;
            }
            assertEquals(256, compared);
            assertTrue(worst <= 1e-5f, "worst LoRA gradient error " + worst);
        }
    }
}

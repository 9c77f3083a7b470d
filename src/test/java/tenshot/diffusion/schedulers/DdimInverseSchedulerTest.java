package tenshot.diffusion.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tenshot.testing.Fixtures;

/**
 * {@link DdimInverseScheduler} against diffusers' {@code DDIMInverseScheduler} ({@code golden/ddim_inverse.*}):
 * 10 steps of the fake model {@code f(x, t) = 0.1·x + t/1000} from {@code x0}, every step within 1e-5.
 */
class DdimInverseSchedulerTest {

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void everyStepMatchesDiffusers(PredictionType type) throws Exception {
        GoldenTensors golden = new GoldenTensors(Fixtures.golden("ddim_inverse.safetensors"));
        SchedulerConfig config = SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json"));
        String prefix = "ddim_inverse." + type.configName();
        try (NDManager manager = NDManager.newBaseManager();
                DdimInverseScheduler inverse = new DdimInverseScheduler(new NoiseSchedule(config.withPredictionType(type)), 10, manager)) {
            float[] expectedTimesteps = golden.floats(prefix + ".timesteps");
            assertEquals(expectedTimesteps.length, inverse.size());
            for (int i = 0; i < inverse.size(); i++) assertEquals(expectedTimesteps[i], inverse.timestep(i), 0.0, prefix + " timestep " + i);
            float[] steps = golden.floats(prefix + ".steps");
            int stepSize = steps.length / inverse.size();
            NDArray x = manager.create(golden.floats("x0"), new Shape(golden.shape("x0")));
            for (int i = 0; i < inverse.size(); i++) {
                NDArray modelOutput = x.mul(0.1f).add((float) (inverse.timestep(i) / 1000.0));
                x = inverse.step(modelOutput, i, x);
                float[] expected = Arrays.copyOfRange(steps, i * stepSize, (i + 1) * stepSize);
                float[] actual = x.toFloatArray();
                double error = 0;
                for (int j = 0; j < actual.length; j++) error = Math.max(error, Math.abs(actual[j] - expected[j]));
                assertTrue(error <= 1e-5, prefix + " step " + i + ": max abs error " + error);
            }
        }
    }

    @Test
    void linspaceSpacingIsRejectedByName() throws Exception {
        SchedulerConfig config = SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DdimInverseScheduler(new NoiseSchedule(config.withTimestepSpacing(TimestepSpacing.LINSPACE)), 10, manager));
            assertTrue(e.getMessage().contains("linspace"), e.getMessage());
        }
    }
}

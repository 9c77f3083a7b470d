package tenshot.diffusion.schedulers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tenshot.testing.Fixtures;

/** DDIM's x̂0: a sample noised from x0 gives x0 back from the true ε (or v) at every step. */
class DdimPredictsOriginalTest {

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void recoversTheCleanSampleFromTheTrueModelOutput(PredictionType type) {
        SchedulerConfig config = SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json"))
                .withPredictionType(type);
        NoiseSchedule schedule = new NoiseSchedule(config);
        try (NDManager manager = NDManager.newBaseManager();
                Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, schedule, 10, manager)) {
            manager.getEngine().setRandomSeed(3);
            NDArray x0 = manager.randomNormal(new Shape(2, 4, 8, 8));
            NDArray noise = manager.randomNormal(new Shape(2, 4, 8, 8));
            for (int i = 0; i < ddim.size(); i++) {
                long t = (long) ddim.timestep(i);
                NDArray sample = ddim.addNoise(x0, noise, i);
                NDArray output = type == PredictionType.EPSILON ? noise : schedule.velocity(x0, noise, new long[] {t, t});
                float error = ((PredictsOriginal) ddim).predictOriginal(output, i, sample).sub(x0).abs().max().getFloat();
                // ε-prediction divides by sqrt(alpha_cumprod), about 0.07 at t = 999
                assertTrue(error < 2e-5, type + " step " + i + " (t " + t + "): max abs error " + error);
            }
        }
    }
}

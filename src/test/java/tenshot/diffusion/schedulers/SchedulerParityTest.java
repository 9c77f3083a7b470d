package tenshot.diffusion.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/**
 * Every scheduler, both prediction types, against diffusers: the 10-step timesteps and every step's
 * output for the fake model {@code f(x, t) = 0.1 * scale_model_input(x, t) + t / 1000} from
 * {@code x_init * init_noise_sigma}.
 */
class SchedulerParityTest {

    private static final double TOLERANCE = 1e-4;
    private static GoldenTensors golden;
    private static SchedulerConfig config;

    @BeforeAll
    static void load() throws Exception {
        golden = new GoldenTensors(Fixtures.golden("schedulers.safetensors"));
        config = SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json"));
    }

    @ParameterizedTest
    @CsvSource({
        "ddim, ddim", "dpmpp2m, dpmpp2m", "dpmpp2m_karras, dpmpp2m_karras", "euler, euler", "pndm, pndm"
    })
    void everyStepMatchesDiffusers(String kindName, String goldenName) {
        for (PredictionType type : PredictionType.values()) {
            String prefix = goldenName + "." + type.configName();
            NoiseSchedule schedule = new NoiseSchedule(config.withPredictionType(type));
            try (NDManager manager = NDManager.newBaseManager()) {
                Scheduler scheduler = Scheduler.create(Scheduler.Kind.parse(kindName), schedule, 10, manager);
                float[] expectedTimesteps = golden.floats(prefix + ".timesteps");
                double[] timesteps = scheduler.timesteps();
                assertEquals(expectedTimesteps.length, timesteps.length, prefix + " timestep count");
                for (int i = 0; i < timesteps.length; i++) {
                    assertEquals(expectedTimesteps[i], timesteps[i], 1e-3, prefix + " timestep " + i);
                }
                long[] stepsShape = golden.shape(prefix + ".steps");
                float[] steps = golden.floats(prefix + ".steps");
                int stepSize = steps.length / (int) stepsShape[0];
                NDArray x = manager.create(golden.floats("x_init"), new Shape(golden.shape("x_init")))
                        .mul((float) scheduler.initNoiseSigma());
                for (int i = 0; i < scheduler.size(); i++) {
                    NDArray modelOutput = scheduler.scaleModelInput(x, i).mul(0.1f).add((float) (timesteps[i] / 1000.0));
                    x = scheduler.step(modelOutput, i, x);
                    float[] expected = Arrays.copyOfRange(steps, i * stepSize, (i + 1) * stepSize);
                    double error = maxAbs(expected, x.toFloatArray());
                    assertTrue(error <= TOLERANCE, prefix + " step " + i + ": max abs error " + error);
                }
                scheduler.close();
            }
        }
    }

    @Test
    void alphasCumprodMatchTorch() {
        double[] ours = new NoiseSchedule(config).alphasCumprod();
        float[] expected = golden.floats("alphas_cumprod");
        float[] actual = new float[ours.length];
        for (int i = 0; i < ours.length; i++) actual[i] = (float) ours[i];
        assertTrue(maxAbs(expected, actual) <= 1e-7, "alphas_cumprod max abs error " + maxAbs(expected, actual));
    }

    @Test
    void addNoiseAndVelocityMatchDdpm() {
        NoiseSchedule schedule = new NoiseSchedule(config);
        float[] t = golden.floats("ddpm.t");
        long[] timesteps = new long[t.length];
        for (int i = 0; i < t.length; i++) timesteps[i] = (long) t[i];
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(golden.shape("ddpm.latents"));
            NDArray latents = manager.create(golden.floats("ddpm.latents"), shape);
            NDArray noise = manager.create(golden.floats("ddpm.noise"), shape);
            double noisy = maxAbs(golden.floats("ddpm.add_noise"), schedule.addNoise(latents, noise, timesteps).toFloatArray());
            double velocity = maxAbs(golden.floats("ddpm.velocity"), schedule.velocity(latents, noise, timesteps).toFloatArray());
            assertTrue(noisy <= 1e-5, "add_noise max abs error " + noisy);
            assertTrue(velocity <= 1e-5, "get_velocity max abs error " + velocity);
            assertArrayEquals(schedule.velocity(latents, noise, timesteps).toFloatArray(),
                    schedule.trainingTarget(latents, noise, timesteps).toFloatArray());
        }
    }

    @Test
    void img2imgTimestepsFollowStrength() {
        NoiseSchedule schedule = new NoiseSchedule(config);
        try (NDManager manager = NDManager.newBaseManager(); Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, schedule, 40, manager)) {
            int start = ddim.startIndex(0.9);
            float[] expected = golden.floats("img2img.ddim40.s09.timesteps");
            double[] all = ddim.timesteps();
            assertEquals(expected.length, all.length - start);
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], all[start + i], 0.0);
        }
    }

    @Test
    void trailingAndLinspaceSpacingFollowDiffusers() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NoiseSchedule trailing = new NoiseSchedule(config.withTimestepSpacing(TimestepSpacing.TRAILING));
            assertArrayEquals(new double[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99},
                    Scheduler.create(Scheduler.Kind.DDIM, trailing, 10, manager).timesteps());
            NoiseSchedule linspace = new NoiseSchedule(config.withTimestepSpacing(TimestepSpacing.LINSPACE));
            assertArrayEquals(new double[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0},
                    Scheduler.create(Scheduler.Kind.DDIM, linspace, 10, manager).timesteps());
            assertEquals(14.6146, Scheduler.create(Scheduler.Kind.EULER, trailing, 10, manager).initNoiseSigma(), 1e-3);
        }
    }

    static double maxAbs(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
        return Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
    }
}

package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * The whole pipeline on the tiny SD 2.1 checkpoint against diffusers: txt2img (prompt, negative "",
 * 4 DDIM steps, CFG 7.5, 64x64 from given latents) step by step and the final image, and img2img
 * (strength 0.9, 10 steps, given noise, VAE posterior mean), all within 1e-4.
 */
class StableDiffusionParityTest {

    private static final double TOLERANCE = 1e-4;
    private static StableDiffusion model;
    private static DiffusionPipeline pipeline;

    @BeforeAll
    static void load() {
        Path tiny = Fixtures.tinySd21();
        Fixtures.golden("txt2img.safetensors");
        model = StableDiffusionLoader.load(tiny, EngineDevice.cpu());
        pipeline = new DiffusionPipeline(model);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void txt2imgMatchesDiffusersAtEveryStep() {
        SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("txt2img.safetensors"));
        try (NDManager run = model.manager().newSubManager();
                Scheduler scheduler = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 4, run)) {
            long[] ids = golden.load("input_ids", run).toLongArray();
            long[][] ours = model.tokenizer().encodeBatch(List.of("", "an image of Bear in style_00"));
            assertArrayEquals(java.util.Arrays.copyOfRange(ids, 0, 77), ours[0], "negative prompt ids");
            assertArrayEquals(java.util.Arrays.copyOfRange(ids, 77, 154), ours[1], "prompt ids");

            NDArray context = pipeline.encodePrompts(List.of("an image of Bear in style_00"), "", true, run);
            assertClose(golden.load("prompt_embeds", run), context, "prompt_embeds");
            assertArrayEquals(golden.load("timesteps", run).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray(),
                    scheduler.timesteps());

            NDArray latents = golden.load("latents_init", run).mul((float) scheduler.initNoiseSigma());
            NDArray expectedSteps = golden.load("latents_steps", run);
            List<String> failures = new ArrayList<>();
            List<Integer> seen = new ArrayList<>();
            NDArray out = pipeline.denoise(scheduler, 0, latents, context, 7.5, StepListener.NONE, (i, step) -> {
                seen.add(i);
                double error = maxAbs(expectedSteps.get(i), step);
                if (!(error <= TOLERANCE)) failures.add("step " + i + ": max abs error " + error);
            });
            assertEquals(List.of(0, 1, 2, 3), seen, "steps observed");
            assertTrue(failures.isEmpty(), String.join("; ", failures));
            assertClose(golden.load("image", run), pipeline.decode(out), "image");
        }
    }

    @Test
    void img2imgMatchesDiffusers() {
        SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("img2img.safetensors"));
        try (NDManager run = model.manager().newSubManager();
                Scheduler scheduler = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 10, run)) {
            NDArray initLatents = pipeline.encodeImage(golden.load("init_image", run));
            assertClose(golden.load("init_latents", run), initLatents, "init_latents");

            int start = scheduler.startIndex(0.9);
            double[] expectedTimesteps = golden.load("timesteps", run).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
            assertArrayEquals(expectedTimesteps, java.util.Arrays.copyOfRange(scheduler.timesteps(), start, scheduler.size()));

            NDArray context = pipeline.encodePrompts(List.of("an image of Bear in style_00"), "", true, run);
            NDArray latents = scheduler.addNoise(initLatents, golden.load("noise", run), start);
            NDArray out = pipeline.denoise(scheduler, start, latents, context, 7.5, StepListener.NONE,
                    DiffusionPipeline.StepObserver.NONE);
            assertClose(golden.load("image", run), pipeline.decode(out), "image");
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        double error = maxAbs(expected, actual);
        assertTrue(error <= TOLERANCE, what + ": max abs error " + error);
    }

    private static double maxAbs(NDArray expected, NDArray actual) {
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        assertEquals(e.length, a.length, "element count");
        double max = 0;
        for (int i = 0; i < e.length; i++) max = Math.max(max, Math.abs(e[i] - a[i]));
        return Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
    }
}

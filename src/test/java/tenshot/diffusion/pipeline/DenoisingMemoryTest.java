package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.SeededNoise;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.testing.Fixtures;

/**
 * 1000 guided UNet steps on the tiny model, over fresh scheduler runs of every kind (each with its own
 * prompt encoding and multistep history), must leave the live NDArray count exactly flat and the
 * process RSS flat within allocator noise, measured after a warm-up run.
 */
class DenoisingMemoryTest {

    private static final int RUNS = 10;
    private static final int STEPS_PER_RUN = 100;
    private static final long RSS_BOUND = 48L << 20;

    @Test
    void thousandUnetStepsLeaveArraysAndRssFlat() {
        // One intra-op thread: on a shared 2-core machine OpenMP's spinning threads make every tiny op
        // ~15x slower; the memory behaviour under test does not depend on the thread count.
        Engine.getEngine("PyTorch"); // loads libtorch before the first JniUtils call
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            runThousandSteps();
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private void runThousandSteps() {
        Path tiny = Fixtures.tinySd21();
        EngineDevice device = EngineDevice.cpu();
        NDManager probe = NDManager.newBaseManager();
        NDManager system = probe.getParentManager();
        probe.close();
        try (NDManager weights = NDManager.newBaseManager()) {
            StableDiffusion model = new StableDiffusion(device, weights,
                    ClipTokenizer.load(tiny.resolve("tokenizer")),
                    ClipTextModel.load(tiny.resolve("text_encoder"), device, weights)::forward,
                    UNet2DConditionModel.load(tiny.resolve("unet"), device, weights)::forward,
                    null,
                    new NoiseSchedule(SchedulerConfig.load(tiny.resolve("scheduler/scheduler_config.json"))),
                    Scheduler.Kind.DDIM, 4, 64, java.util.Map.of());
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            List<Scheduler.Kind> kinds = List.of(Scheduler.Kind.values());

            long warmupStart = System.nanoTime();
            run(pipeline, weights, Scheduler.Kind.DPMPP_2M, 0);
            System.out.printf("warm-up run: %.1f ms per UNet step%n", (System.nanoTime() - warmupStart) / 1e6 / STEPS_PER_RUN);
            System.gc();
            int arraysAfterWarmup = system.getManagedArrays().size();
            long rssAfterWarmup = rss();

            for (int r = 0; r < RUNS; r++) run(pipeline, weights, kinds.get(r % kinds.size()), r + 1);
            System.gc();
            int arraysAtEnd = system.getManagedArrays().size();
            long rssAtEnd = rss();
            System.out.printf("live arrays %d -> %d, RSS %d MiB -> %d MiB after %d UNet steps%n", arraysAfterWarmup,
                    arraysAtEnd, rssAfterWarmup >> 20, rssAtEnd >> 20, RUNS * STEPS_PER_RUN);
            assertEquals(arraysAfterWarmup, arraysAtEnd, "live NDArrays grew over " + RUNS * STEPS_PER_RUN + " steps");
            assertTrue(rssAtEnd - rssAfterWarmup < RSS_BOUND, "RSS grew by " + ((rssAtEnd - rssAfterWarmup) >> 20)
                    + " MiB over " + RUNS * STEPS_PER_RUN + " steps");
        }
    }

    private static void run(DiffusionPipeline pipeline, NDManager weights, Scheduler.Kind kind, long seed) {
        try (NDManager run = weights.newSubManager();
                Scheduler scheduler = Scheduler.create(kind, pipeline.model().schedule(), STEPS_PER_RUN, run)) {
            NDArray context = pipeline.encodePrompts(List.of("an image of Bear in style_00"), "", true, run);
            NDArray latents = SeededNoise.normal(run, new long[] {seed}, new Shape(4, 8, 8));
            int start = 0;
            int steps = scheduler.size() - start;
            NDArray out = pipeline.denoise(scheduler, start, latents, context, 7.5, StepListener.NONE,
                    DiffusionPipeline.StepObserver.NONE);
            assertTrue(Float.isFinite(out.sum().getFloat()), kind + " produced non-finite latents over " + steps + " steps");
        }
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

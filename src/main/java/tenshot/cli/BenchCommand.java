package tenshot.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tenshot.diffusion.DeviceMemory;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.train.TrainingRecipe;

/**
 * {@code bench}: UNet forward time per batch and size, seconds per image of an N-step txt2img, and
 * peak memory, on random weights shaped by a diffusers config folder (full-size SD 2.1 by default).
 */
final class BenchCommand implements Cli.Command {

    private static final Set<String> VALUED = Set.of("device", "sizes", "batches", "steps", "config", "tokenizer", "repeats",
            "warmup", "txt2img-size", "txt2img-batch", "scheduler", "threads", "train-sizes", "train-rank", "train-repeats", "train-styles",
            "board-styles", "board-batch", "board-size", "whole-board", "whole-board-styles", "whole-board-steps");
    private static final Set<String> FLAGS = Set.of("skip-unet", "skip-txt2img", "skip-training");

    static final String USAGE = """
            usage: bench [options]
              --device cpu|cuda|cuda:N (cpu)
              --config DIR        diffusers config folder for random weights (../shared/fixtures/sd21-configs)
              --tokenizer DIR     tokenizer folder when the config has none (../shared/fixtures/tiny-sd21/tokenizer)
              --sizes 512,768     image sizes of the UNet rows
              --batches 2,16      UNet batch sizes (a CFG pair of one image is batch 2)
              --warmup 1 --repeats 3   untimed and timed UNet forwards per row
              --steps 40          txt2img steps;  --txt2img-size 512  --txt2img-batch 1 (prompts; UNet batch x2)
              --scheduler ddim    txt2img sampler
              --threads N         torch intra-op threads (default: torch's choice, one per core)
              --train-sizes 512,768  training-step rows (batch 2 = instance + class, LoRA, AdamW; default --sizes)
              --train-rank 32  --train-repeats 2   LoRA rank and timed steps per training row
              --train-styles 1,15 styles trained together per training row (a board run: 2 rows per style)
              --board-styles 15 --board-batch 32 --board-size 512   board generation row (with --steps; off unless given)
              --whole-board DIR --whole-board-styles 15 --whole-board-steps 800   a whole board run (class images,
                                  training, generation) over DIR's style sets with the safe recipe at --board-size (off unless given)
              --skip-unet / --skip-txt2img / --skip-training""";

    @Override
    public String summary() {
        return "benchmark UNet forwards, txt2img seconds per image and peak memory on random full-size weights";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        CommandOptions options = CommandOptions.parse(args, VALUED, FLAGS);
        EngineDevice device = EngineDevice.parse(options.string("device", "cpu"));
        Path shared = sharedRoot();
        Path config = Path.of(options.string("config", shared.resolve("fixtures/sd21-configs").toString()));
        Path tokenizer = options.has("tokenizer") ? Path.of(options.string("tokenizer", ""))
                : Files.isDirectory(config.resolve("tokenizer")) ? config.resolve("tokenizer")
                : shared.resolve("fixtures/tiny-sd21/tokenizer");
        List<Integer> sizes = options.integers("sizes", List.of(512, 768));
        List<Integer> batches = options.integers("batches", List.of(2, 16));
        int warmup = options.integer("warmup", 1);
        int repeats = options.integer("repeats", 3);
        int steps = options.integer("steps", 40);
        if (repeats < 1 || warmup < 0 || steps < 1) throw new IllegalArgumentException("--repeats and --steps must be >= 1, --warmup >= 0");

        System.out.printf("bench on %s, random weights from %s%n", device, config);
        System.out.printf("machine: %d processors visible to the JVM, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        DeviceMemory memory = DeviceMemory.baseline(device);
        if (device.isGpu()) {
            System.out.printf("device: %s, %s in use before loading (CUDA context)%n", mib(DeviceMemory.total(device)),
                    mib(DeviceMemory.inUse(device)));
        }
        long loadStart = System.nanoTime();
        List<String[]> rows = new ArrayList<>();
        try (StableDiffusion model = StableDiffusionLoader.random(config, tokenizer, device, 0)) {
            JniUtils.setGradMode(false);
            if (options.has("threads")) JniUtils.setNumThreads(options.integer("threads", 1));
            System.out.printf("torch intra-op threads: %d%n", JniUtils.getNumThreads());
            System.out.printf("random weights created in %.1f s, RSS %s%n", (System.nanoTime() - loadStart) / 1e9, mib(rss()));
            if (!options.has("skip-unet")) {
                for (int size : sizes) {
                    for (int batch : batches) {
                        memory.releaseCached();
                        double[] ms = unetForward(model, size, batch, warmup, repeats);
                        String[] row = {"UNet forward", size + " px", "batch " + batch,
                            String.format("%.1f ms (median of %d, min %.1f)", ms[0], repeats, ms[1]), memory(device, memory)};
                        rows.add(row);
                        System.out.println("  " + String.join(" | ", row));
                    }
                }
            }
            if (!options.has("skip-txt2img")) {
                int size = options.integer("txt2img-size", 512);
                int images = options.integer("txt2img-batch", 1);
                List<String> prompts = Collections.nCopies(images, "an image of a dolphin in style_00");
                GenerationRequest.Builder request = GenerationRequest.builder(prompts).size(size, size).steps(steps).seed(0);
                if (options.has("scheduler")) {
                    request.scheduler(tenshot.diffusion.schedulers.Scheduler.Kind.parse(options.string("scheduler", "ddim")));
                }
                memory.releaseCached();
                new DiffusionPipeline(model).generate(request.build(), StepListener.NONE); // warm-up: kernels, allocator
                long start = System.nanoTime();
                new DiffusionPipeline(model).generate(request.build(), StepListener.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                String[] row = {"txt2img " + steps + " steps", size + " px", images + " image(s), CFG 7.5",
                    String.format("%.2f s per image (%.1f s total)", seconds / images, seconds), memory(device, memory)};
                rows.add(row);
                System.out.println("  " + String.join(" | ", row));
            }
            if (options.has("board-styles")) {
                memory.releaseCached();
                String[] row = BoardBenchRows.measure(model, options.integer("board-styles", 15), options.integer("board-batch", 32),
                        options.integer("board-size", 512), steps, options.integer("train-rank", 32));
                row[4] = memory(device, memory);
                rows.add(row);
                System.out.println("  " + String.join(" | ", row));
            }
        }
        if (!options.has("skip-training")) {
            // after the inference model is closed, so the training rows measure their own weights only
            rows.addAll(TrainingBenchRows.measure(config, device, options.integers("train-sizes", sizes),
                    options.integers("train-styles", List.of(1)), options.integer("train-rank", 32), warmup,
                    options.integer("train-repeats", 2)));
        }
        if (options.has("whole-board")) {
            TrainingRecipe recipe = TrainingRecipe.safe().with(Map.of("resolution", options.integer("board-size", 512)));
            if (options.has("whole-board-steps")) recipe = recipe.withSteps(options.integer("whole-board-steps", recipe.steps()));
            for (String[] row : WholeBoardBench.measure(config, tokenizer, device, Path.of(options.string("whole-board", "")),
                    options.integer("whole-board-styles", 15), recipe, options.integer("board-batch", 32))) {
                rows.add(row);
                System.out.println("  " + String.join(" | ", row));
            }
        }
        System.out.println();
        System.out.println("| what | size | batch | time | peak memory |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String[] row : rows) System.out.println("| " + String.join(" | ", row) + " |");
        return 0;
    }

    /** {median, min} milliseconds of one UNet forward on random inputs; each forward is synced by a read. */
    private static double[] unetForward(StableDiffusion model, int size, int batch, int warmup, int repeats) {
        try (NDManager manager = model.manager().newSubManager()) {
            NDArray latents = manager.randomNormal(new Shape(batch, model.latentChannels(), size / 8, size / 8))
                    .toType(model.device().dtype(), false);
            NDArray ids = manager.zeros(new Shape(batch, model.tokenizer().maxLength()), ai.djl.ndarray.types.DataType.INT64);
            NDArray context = model.textEncoder().encode(ids).toType(model.device().dtype(), false);
            NDArray timestep = manager.create(500f);
            List<Double> times = new ArrayList<>();
            for (int r = 0; r < warmup + repeats; r++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    long start = System.nanoTime();
                    NDArray out = model.unet().predict(latents, timestep, context);
                    out.get(0, 0, 0, 0).toFloatArray();
                    if (r >= warmup) times.add((System.nanoTime() - start) / 1e6);
                }
            }
            Collections.sort(times);
            int n = times.size();
            double median = n % 2 == 1 ? times.get(n / 2) : (times.get(n / 2 - 1) + times.get(n / 2)) / 2;
            return new double[] {median, times.get(0)};
        }
    }

    private static String memory(EngineDevice device, DeviceMemory memory) {
        if (!device.isGpu()) return "RSS peak " + mib(peakRss());
        return "PyTorch pool (reserved peak) " + mib(memory.pool()) + ", device in use " + mib(DeviceMemory.inUse(device));
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }

    static long rss() {
        return statusField("VmRSS:");
    }

    static long peakRss() {
        return statusField("VmHWM:");
    }

    /** A kB field of /proc/self/status in bytes, or -1 where there is no procfs. */
    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static Path sharedRoot() {
        String env = System.getenv("TENSHOT_SHARED");
        return (env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared")).toAbsolutePath().normalize();
    }
}

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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tenshot.diffusion.schedulers.Scheduler;
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
@Command(name = "bench", sortOptions = false,
        description = "benchmark UNet forwards, txt2img seconds per image and peak memory on random full-size weights")
final class BenchCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu", description = "where to run (${DEFAULT-VALUE})")
    EngineDevice device;

    @Option(names = "--config", paramLabel = "DIR", description = "diffusers config folder for random weights (../shared/fixtures/sd21-configs)")
    Path config;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "tokenizer folder when the config has none (../shared/fixtures/tiny-sd21/tokenizer)")
    Path tokenizer;

    @Option(names = "--sizes", split = ",", paramLabel = "PX", description = "image sizes of the UNet rows (512,768)")
    List<Integer> sizes;

    @Option(names = "--batches", split = ",", paramLabel = "N", description = "UNet batch sizes; a CFG pair of one image is batch 2 (2,16)")
    List<Integer> batches;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "untimed UNet forwards per row (${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3", description = "timed UNet forwards per row (${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "40", description = "txt2img (and board) steps (${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--txt2img-size", paramLabel = "PX", defaultValue = "512", description = "txt2img image size (${DEFAULT-VALUE})")
    int txt2imgSize;

    @Option(names = "--txt2img-batch", paramLabel = "N", defaultValue = "1", description = "txt2img prompts; UNet batch x2 (${DEFAULT-VALUE})")
    int txt2imgBatch;

    @Option(names = "--scheduler", paramLabel = "NAME", description = "txt2img sampler (the config's)")
    Scheduler.Kind scheduler;

    @Option(names = "--threads", paramLabel = "N", description = "torch intra-op threads (default: torch's choice, one per core)")
    Integer threads;

    @Option(names = "--train-sizes", split = ",", paramLabel = "PX",
            description = "training-step rows (batch 2 = instance + class, LoRA, AdamW; default --sizes)")
    List<Integer> trainSizes;

    @Option(names = "--train-rank", paramLabel = "R", defaultValue = "32", description = "LoRA rank of training and board rows (${DEFAULT-VALUE})")
    int trainRank;

    @Option(names = "--train-repeats", paramLabel = "N", defaultValue = "2", description = "timed steps per training row (${DEFAULT-VALUE})")
    int trainRepeats;

    @Option(names = "--train-styles", split = ",", paramLabel = "N",
            description = "styles trained together per training row; a board run has 2 rows per style (1)")
    List<Integer> trainStyles;

    @Option(names = "--board-styles", paramLabel = "N", description = "board generation row with this many styles (off unless given; 15)")
    Integer boardStyles;

    @Option(names = "--board-batch", paramLabel = "N", defaultValue = "32", description = "board row batch (${DEFAULT-VALUE})")
    int boardBatch;

    @Option(names = "--board-size", paramLabel = "PX", defaultValue = "512", description = "board row image size (${DEFAULT-VALUE})")
    int boardSize;

    @Option(names = "--styleid-size", paramLabel = "PX", description = "StyleID rows at this size against plain txt2img, --steps steps (off unless given; 512)")
    Integer styleIdSize;

    @Option(names = "--whole-board", paramLabel = "DIR",
            description = "a whole board run (class images, training, generation) over DIR's style sets with the safe recipe at --board-size (off unless given)")
    Path wholeBoard;

    @Option(names = "--whole-board-styles", paramLabel = "N", defaultValue = "15", description = "styles of the whole board; DIR's sets in turn (${DEFAULT-VALUE})")
    int wholeBoardStyles;

    @Option(names = "--whole-board-steps", paramLabel = "N", description = "training steps of the whole board (the safe recipe's)")
    Integer wholeBoardSteps;

    @Option(names = "--guidance-size", paramLabel = "PX",
            description = "style-guidance rows at this size: --steps DDIM steps with 0, 5 and all guided (off unless given)")
    Integer guidanceSize;

    @Option(names = "--guidance-clip", paramLabel = "DIR", description = "CLIP folder of the guidance rows' Ψ (random ViT-L/14 weights)")
    Path guidanceClip;

    @Option(names = "--skip-unet", description = "no UNet forward rows")
    boolean skipUnet;

    @Option(names = "--skip-txt2img", description = "no txt2img row")
    boolean skipTxt2img;

    @Option(names = "--skip-training", description = "no training-step rows")
    boolean skipTraining;

    @Override
    public Integer call() throws Exception {
        Path shared = sharedRoot();
        Path config = this.config != null ? this.config : shared.resolve("fixtures/sd21-configs");
        Path tokenizer = this.tokenizer != null ? this.tokenizer
                : Files.isDirectory(config.resolve("tokenizer")) ? config.resolve("tokenizer")
                : shared.resolve("fixtures/tiny-sd21/tokenizer");
        List<Integer> sizes = positive("--sizes", this.sizes, List.of(512, 768));
        List<Integer> batches = positive("--batches", this.batches, List.of(2, 16));
        List<Integer> trainSizes = positive("--train-sizes", this.trainSizes, sizes);
        List<Integer> trainStyles = positive("--train-styles", this.trainStyles, List.of(1));
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
            if (threads != null) JniUtils.setNumThreads(threads);
            System.out.printf("torch intra-op threads: %d%n", JniUtils.getNumThreads());
            System.out.printf("random weights created in %.1f s, RSS %s%n", (System.nanoTime() - loadStart) / 1e9, mib(rss()));
            if (!skipUnet) {
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
            if (!skipTxt2img) {
                int size = txt2imgSize;
                int images = txt2imgBatch;
                List<String> prompts = Collections.nCopies(images, "an image of a dolphin in style_00");
                GenerationRequest.Builder request = GenerationRequest.builder(prompts).size(size, size).steps(steps).seed(0);
                if (scheduler != null) request.scheduler(scheduler);
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
            if (styleIdSize != null) {
                memory.releaseCached();
                for (String[] row : StyleIdBenchRows.measure(model, styleIdSize, steps)) {
                    row[4] = memory(device, memory);
                    rows.add(row);
                    System.out.println("  " + String.join(" | ", row));
                }
            }
            if (boardStyles != null) {
                memory.releaseCached();
                String[] row = BoardBenchRows.measure(model, boardStyles, boardBatch, boardSize, steps, trainRank);
                row[4] = memory(device, memory);
                rows.add(row);
                System.out.println("  " + String.join(" | ", row));
            }
            if (guidanceSize != null) {
                memory.releaseCached();
                for (String[] row : GuidanceBenchRows.measure(model, device, guidanceClip, guidanceSize, steps, txt2imgBatch)) {
                    row[4] = memory(device, memory);
                    rows.add(row);
                    System.out.println("  " + String.join(" | ", row));
                }
            }
        }
        if (!skipTraining) {
            // after the inference model is closed, so the training rows measure their own weights only
            rows.addAll(TrainingBenchRows.measure(config, device, trainSizes, trainStyles, trainRank, warmup, trainRepeats));
        }
        if (wholeBoard != null) {
            TrainingRecipe recipe = TrainingRecipe.safe().with(Map.of("resolution", boardSize));
            if (wholeBoardSteps != null) recipe = recipe.withSteps(wholeBoardSteps);
            for (String[] row : WholeBoardBench.measure(config, tokenizer, device, wholeBoard, wholeBoardStyles, recipe, boardBatch)) {
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

    /** {@code given}, checked to hold positive numbers only, or {@code fallback} when the option is absent. */
    private static List<Integer> positive(String option, List<Integer> given, List<Integer> fallback) {
        if (given == null) return fallback;
        if (given.isEmpty() || given.stream().anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException(option + " must be a comma-separated list of positive integers, got " + given);
        }
        return given;
    }

    private static Path sharedRoot() {
        String env = System.getenv("TENSHOT_SHARED");
        return (env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared")).toAbsolutePath().normalize();
    }
}

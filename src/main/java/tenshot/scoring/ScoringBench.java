package tenshot.scoring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;

/**
 * Prints a table of scoring throughput per batch size: each metric network over the same images, one
 * row per (metric, batch), with images per second. A command, not a test:
 * {@code java -cp target/classes:<runtime deps> tenshot.scoring.ScoringBench --models DIR --images DIR
 * [--batches 1,4,8] [--device cpu|cuda] [--repeats 2]}. Images are read once; the first pass of each
 * row is a warm-up and is not timed.
 */
public final class ScoringBench {

    private ScoringBench() {}

    public static void main(String[] args) throws Exception {
        Path models = null;
        Path images = null;
        List<Integer> batches = List.of(1, 4, 8);
        String device = "cpu";
        int repeats = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--models" -> models = Path.of(args[i + 1]);
                case "--images" -> images = Path.of(args[i + 1]);
                case "--batches" -> batches = Stream.of(args[i + 1].split(",")).map(s -> Integer.parseInt(s.trim())).toList();
                case "--device" -> device = args[i + 1];
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (models == null || images == null) {
            System.err.println("usage: ScoringBench --models DIR --images DIR [--batches 1,4,8] [--device cpu|cuda] [--repeats 2]");
            System.exit(2);
        }
        List<RgbImage> pictures = new ArrayList<>();
        try (Stream<Path> files = Files.list(images)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) pictures.add(ImageFiles.read(p));
        }
        System.out.printf(Locale.ROOT, "%d images from %s, device %s, %d timed repeat(s)%n", pictures.size(), images, device, repeats);
        System.out.printf(Locale.ROOT, "| %-8s | %5s | %10s | %9s |%n", "metric", "batch", "s / pass", "images/s");
        System.out.println("| --- | --- | --- | --- |");
        try (ScoringModels loaded = ModelDirectory.load(models, EngineDevice.parse(device))) {
            for (Metric m : Metric.values()) {
                if (m == Metric.HIST || !loaded.available(m)) continue;
                for (int batch : batches) {
                    Runnable pass = switch (m) {
                        case DINO -> () -> loaded.dino().embedAll(pictures, batch);
                        case LPIPS -> () -> loaded.lpips().distances(pictures, pictures.subList(0, 1), batch);
                        case FID -> () -> loaded.fid().featuresAll(pictures, false, batch);
                        case CLIP_IQA -> () -> loaded.clipIqa().qualityAll(pictures, true, batch);
                        case CLIP_R -> () -> loaded.clipR().topKAll(pictures, pictures.stream()
                                .map(p -> ClipRCandidates.forPrompt(loaded.clipRCandidates(), "bench")).toList(), 5, batch);
                        default -> throw new IllegalStateException(m.key());
                    };
                    pass.run();
                    long began = System.nanoTime();
                    for (int r = 0; r < repeats; r++) pass.run();
                    double seconds = (System.nanoTime() - began) / 1e9 / repeats;
                    System.out.printf(Locale.ROOT, "| %-8s | %5d | %10.3f | %9.2f |%n", m.label(), batch, seconds,
                            pictures.size() / seconds);
                }
            }
        }
    }
}

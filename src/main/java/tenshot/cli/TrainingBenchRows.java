package tenshot.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.train.TrainingBench;
import tenshot.diffusion.unet.UNetConfig;

/** The training-step rows of {@code bench}: one DreamBooth-LoRA step per size on a random UNet of the config. */
final class TrainingBenchRows {

    private TrainingBenchRows() {}

    static List<String[]> measure(Path configDir, EngineDevice device, List<Integer> sizes, List<Integer> styleCounts, int rank,
            int warmup, int repeats) {
        if (rank < 1 || repeats < 1) throw new IllegalArgumentException("--train-rank and --train-repeats must be >= 1");
        UNetConfig config = UNetConfig.read(configDir.resolve("unet/config.json"));
        List<String[]> rows = new ArrayList<>();
        for (int size : sizes) for (int styles : styleCounts) {
            TrainingBench.Row r = TrainingBench.measure(config, device, size, rank, styles, warmup, repeats, 0);
            String batch = styles == 1 ? "batch 2 (instance + class)" : "batch " + r.batch() + " (" + styles + " styles' instance + class)";
            String[] row = {"training step (LoRA rank " + rank + ", AdamW)", size + " px", batch,
                String.format("%.1f ms per step (mean of %d; one step synced per phase: forward %.1f, backward %.1f, clip + AdamW %.1f)",
                        r.msPerStep(), r.steps(), r.phases().forward(), r.phases().backward(), r.phases().optimizer()),
                String.format("%s %.2f GiB", r.peakKind(), r.peakGiB())};
            rows.add(row);
            System.out.println("  " + String.join(" | ", row));
        }
        return rows;
    }
}

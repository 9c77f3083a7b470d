package tenshot.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.LoraSpec;
import tenshot.diffusion.pipeline.BoardGenerator;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.schedulers.Scheduler;

/**
 * The board-generation row of {@code bench}: images of many styles in mixed-style batches, each row with
 * its own random LoRA and start image, as a board run's GENERATE does. Times one warmed-up batch.
 */
final class BoardBenchRows {

    private BoardBenchRows() {}

    static String[] measure(StableDiffusion model, int styles, int batch, int size, int steps, int rank) throws Exception {
        if (styles < 1 || batch < 1) throw new IllegalArgumentException("--board-styles and --board-batch must be >= 1");
        Path dir = Files.createTempDirectory("tenshot-board-bench");
        try {
            List<BoardGenerator.Style> board = new ArrayList<>();
            BufferedImage start = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            for (int s = 0; s < styles; s++) {
                Path file = dir.resolve("style-" + s + ".safetensors");
                try (LoraSet set = LoraSet.createTrainable(List.of(new LoraSpec("unet", model.linears().get("unet"),
                        LoraSpec.UNET_ATTENTION, rank, rank)), s, model.manager())) {
                    for (LoraSet.Attached a : set.attached()) a.adapter().up().addi(a.adapter().down().getManager()
                            .randomNormal(a.adapter().up().getShape()).mul(0.01f).toDevice(a.adapter().up().getDevice(), false));
                    set.save(file, java.util.Map.of());
                }
                // exactly one batch of images, spread over the styles
                int perStyle = batch / styles + (s < batch % styles ? 1 : 0);
                List<String> prompts = new ArrayList<>();
                long[] seeds = new long[perStyle];
                for (int p = 0; p < perStyle; p++) {
                    prompts.add("an image of object " + p + " in style_" + s);
                    seeds[p] = p;
                }
                board.add(new BoardGenerator.Style(file, start, prompts, seeds));
            }
            BoardGenerator.Settings settings = new BoardGenerator.Settings(size, steps, 7.5, Scheduler.Kind.DDIM, 0.9, batch);
            BoardGenerator generator = new BoardGenerator(model);
            int[] made = new int[1];
            generator.generate(board, settings, (s, p, image) -> made[0]++, StepListener.NONE); // warm-up
            made[0] = 0;
            long began = System.nanoTime();
            generator.generate(board, settings, (s, p, image) -> made[0]++, StepListener.NONE);
            double seconds = (System.nanoTime() - began) / 1e9;
            return new String[] {"board generation " + steps + " steps (img2img 0.9, CFG 7.5)", size + " px",
                styles + " styles, " + made[0] + " images in batches of " + batch,
                String.format("%.3f s per image (%.1f s for %d images)", seconds / made[0], seconds, made[0]), ""};
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }
}

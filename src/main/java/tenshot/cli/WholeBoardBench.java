package tenshot.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.pipeline.BoardGenerator;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.train.DreamBoothTrainer;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.StyleImageReader;
import tenshot.diffusion.train.StableDiffusionTrainable;
import tenshot.diffusion.train.StyleFolder;
import tenshot.diffusion.train.TrainingJob;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.diffusion.train.TrainingResult;

/**
 * The whole-board rows of {@code bench}: a board run end to end as the worker runs one, on random
 * weights of the config: the class images, every style trained together for the recipe's steps, then
 * every prompt of every style generated in mixed-style batches from its style's LoRA and average image.
 * The dataset's style sets are used in turn when the board asks for more styles than it holds.
 */
final class WholeBoardBench {

    private WholeBoardBench() {}

    static List<String[]> measure(Path configDir, Path tokenizerDir, EngineDevice device, Path dataset, int styleCount,
            TrainingRecipe recipe, int batch) throws Exception {
        List<Path> sets = styleSets(dataset);
        Path work = Files.createTempDirectory("tenshot-whole-board");
        List<TrainingJob> jobs = new ArrayList<>();
        for (int s = 0; s < styleCount; s++) {
            String id = String.format("%02d", s);
            jobs.add(new TrainingJob(configDir, "random:" + configDir, sets.get(s % sets.size()), id, recipe,
                    work.resolve(id), null, work.resolve("class-images"), device, false));
        }
        long[] trainingBegan = {0};
        long began = System.nanoTime();
        List<TrainingResult> results = new DreamBoothTrainer(jobs,
                job -> StableDiffusionTrainable.random(configDir, tokenizerDir, device, 0)).runBoard((style, report) -> {
                    if (!report.phase().equals("training") || style != 0) return;
                    if (trainingBegan[0] == 0) {
                        trainingBegan[0] = System.nanoTime();
                        System.out.printf("  class images and style latents done in %.1f s%n", (trainingBegan[0] - began) / 1e9);
                    }
                    if (report.step() % 100 == 0) {
                        System.out.printf("  board training step %d/%d, %.3f s/step%n", report.step(), report.total(),
                                report.secondsPerStep());
                    }
                });
        long trained = System.nanoTime();
        System.out.printf("  board training done in %.1f s%n", (trained - trainingBegan[0]) / 1e9);
        long classImages = 0;
        if (Files.isDirectory(work.resolve("class-images"))) {
            try (Stream<Path> files = Files.list(work.resolve("class-images"))) {
                classImages = files.filter(f -> f.toString().endsWith(".png")).count();
            }
        }

        TrainingRecipe.Generation settings = recipe.generation();
        PromptTemplate template = new PromptTemplate(settings.prompt());
        int size = recipe.resolution();
        List<BoardGenerator.Style> board = new ArrayList<>();
        for (int s = 0; s < styleCount; s++) {
            TrainingJob job = jobs.get(s);
            StyleFolder set = StyleFolder.open(job.styleDir());
            List<BufferedImage> images = new ArrayList<>();
            for (Path image : set.images()) images.add(StyleImageReader.read(image));
            List<String> prompts = set.prompts().stream().map(o -> template.render(o, job.styleId())).toList();
            long[] seeds = new long[prompts.size()];
            for (int p = 0; p < seeds.length; p++) seeds[p] = recipe.seed() + p;
            board.add(new BoardGenerator.Style(results.get(s).loraFile(), Images.average(images, size, size), prompts, seeds));
        }
        int[] made = {0};
        long generationBegan = System.nanoTime();
        try (StableDiffusion model = StableDiffusionLoader.random(configDir, tokenizerDir, device, 0)) {
            long loaded = System.nanoTime();
            new BoardGenerator(model).generate(board, new BoardGenerator.Settings(size, settings.steps(), settings.guidanceScale(),
                    Scheduler.Kind.parse(settings.scheduler()), settings.strength(), batch), (s, p, image) -> {
                        if (++made[0] % 64 == 0) {
                            System.out.printf("  %d images in %.1f s%n", made[0], (System.nanoTime() - loaded) / 1e9);
                        }
                    },
                    StepListener.NONE);
            long generated = System.nanoTime();
            deleteTree(work);
            double classSeconds = (trainingBegan[0] - began) / 1e9;
            double trainSeconds = (trained - trainingBegan[0]) / 1e9;
            double generateSeconds = (generated - loaded) / 1e9;
            double total = (generated - began) / 1e9;
            String what = styleCount + " styles (" + sets.size() + " style sets in turn), recipe " + recipe.name();
            return List.of(
                    new String[] {"whole board: model load, style latents, class images", size + " px", what,
                        String.format("%.1f s (%d class images of %d steps)", classSeconds, classImages, recipe.classImageSteps()), ""},
                    new String[] {"whole board: training", size + " px", what,
                        String.format("%.1f s (%d steps, %.3f s/step for all styles)", trainSeconds, recipe.steps(),
                                trainSeconds / recipe.steps()), ""},
                    new String[] {"whole board: generation", size + " px", made[0] + " images in batches of " + batch,
                        String.format("%.1f s (%.3f s per image, %d steps)", generateSeconds, generateSeconds / made[0], settings.steps()), ""},
                    new String[] {"whole board: total", size + " px", what,
                        String.format("%.1f s = %.1f min, both model loads included (the second %.1f s)", total, total / 60,
                                (loaded - generationBegan) / 1e9), ""});
        }
    }

    private static List<Path> styleSets(Path dataset) throws IOException {
        if (!Files.isDirectory(dataset)) throw new IllegalArgumentException("--whole-board: " + dataset + " is not a folder");
        List<Path> sets;
        try (Stream<Path> dirs = Files.list(dataset)) {
            sets = dirs.filter(d -> Files.isDirectory(d.resolve("images")) && Files.exists(d.resolve("prompt.json")))
                    .sorted(Comparator.naturalOrder()).toList();
        }
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("--whole-board: " + dataset + " holds no style sets (folders with images/ and prompt.json)");
        }
        return sets;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

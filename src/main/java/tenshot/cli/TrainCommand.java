package tenshot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.DreamBoothTrainer;
import tenshot.diffusion.train.StableDiffusionTrainable;
import tenshot.diffusion.train.TrainingJob;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.diffusion.train.TrainingResult;

/**
 * {@code train}: DreamBooth-LoRA training of one style set without the web service. Writes
 * {@code pytorch_lora_weights.safetensors}, {@code samples/}, {@code recipe.json} and
 * {@code checkpoints/} into {@code --out}; {@code --resume} continues from the latest checkpoint.
 */
@Command(name = "train", sortOptions = false,
        description = "train a style LoRA: --model DIR --style DIR --style-id 00 --recipe safe [--steps N --out DIR --device cpu --resume]")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "diffusers-format Stable Diffusion folder")
    Path model;

    @Option(names = "--model-id", paramLabel = "ID", description = "stable name of the base model for class-image cache keys and file metadata (default: its folder)")
    String modelId;

    @Option(names = "--style", required = true, paramLabel = "DIR", description = "style set: DIR/images/*.png")
    Path style;

    @Option(names = "--style-id", required = true, paramLabel = "ID", description = "the style's id in prompts (style_{ID})")
    String styleId;

    @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "safe", description = "recipe preset (${DEFAULT-VALUE})")
    String recipe;

    @Option(names = "--recipe-file", paramLabel = "FILE.json", description = "recipe as JSON (instead of --recipe)")
    Path recipeFile;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "train-out", description = "output folder (${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu", description = "where to train (${DEFAULT-VALUE})")
    EngineDevice device;

    @Option(names = "--class-images", paramLabel = "DIR", description = "class-image cache folder")
    Path classImages;

    @Option(names = "--resume", description = "continue from the latest checkpoint in --out")
    boolean resume;

    @Option(names = "--steps", paramLabel = "N", description = "override the recipe's training steps")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S", description = "override the recipe's seed")
    Long seed;

    @Option(names = "--resolution", paramLabel = "PX", description = "override the recipe's resolution")
    Integer resolution;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "override: steps between checkpoints")
    Integer checkpointEvery;

    @Option(names = "--preview-every", paramLabel = "N", description = "override: steps between sample images")
    Integer previewEvery;

    @Option(names = "--preview-steps", paramLabel = "N", description = "override: denoising steps of a sample image")
    Integer previewSteps;

    @Option(names = "--class-images-per-prompt", paramLabel = "N", description = "override: class images per prompt")
    Integer classImagesPerPrompt;

    @Option(names = "--class-image-steps", paramLabel = "N", description = "override: denoising steps of a class image")
    Integer classImageSteps;

    @Option(names = "--lr", paramLabel = "RATE", description = "override the recipe's learning rate")
    Double learningRate;

    @Override
    public Integer call() throws Exception {
        TrainingRecipe recipe = recipeFile != null ? TrainingRecipe.fromJson(Files.readString(recipeFile)) : TrainingRecipe.preset(this.recipe);
        Map<String, Object> overrides = new LinkedHashMap<>();
        putIfGiven(overrides, "steps", steps);
        putIfGiven(overrides, "seed", seed);
        putIfGiven(overrides, "resolution", resolution);
        putIfGiven(overrides, "checkpointEvery", checkpointEvery);
        putIfGiven(overrides, "previewEvery", previewEvery);
        putIfGiven(overrides, "previewSteps", previewSteps);
        putIfGiven(overrides, "classImagesPerPrompt", classImagesPerPrompt);
        putIfGiven(overrides, "classImageSteps", classImageSteps);
        putIfGiven(overrides, "learningRate", learningRate);
        if (!overrides.isEmpty()) recipe = recipe.with(overrides);
        TrainingJob job = new TrainingJob(model, modelId, style, styleId, recipe, out, null, classImages, device, resume);

        System.out.printf("training %s on %s (style_%s), recipe %s: %d steps, rank %d, device %s%n", model, style, styleId,
                recipe.name(), recipe.steps(), recipe.rank(), job.device());
        StepListener progress = new StepListener() {
            String lastPhase = "";

            @Override
            public void onStep(StepReport r) {
                if (r.phase().equals("class-images")) {
                    if (!lastPhase.equals("class-images")) System.out.printf("class images: %d to make or reuse%n", r.total());
                } else if (r.phase().equals("training")) {
                    System.out.printf("step %d/%d  loss %.5f  lr %.2e  %.2f s/step  eta %.0f s%s%n", r.step(), r.total(), r.loss(),
                            r.learningRate(), r.secondsPerStep(), r.etaSeconds(), r.preview() != null ? "  (sample written)" : "");
                }
                lastPhase = r.phase();
            }
        };
        TrainingResult result = new DreamBoothTrainer(job, j -> StableDiffusionTrainable.load(j.modelDir(), j.device())).run(progress);
        if (result.resumedFrom() > 0) System.out.printf("resumed from step %d%n", result.resumedFrom());
        System.out.printf("LoRA:       %s%n", result.loraFile());
        System.out.printf("samples:    %s%n", job.samplesDir());
        System.out.printf("checkpoint: %s%n", result.checkpoint());
        System.out.printf("final loss: %.5f after %d steps%n", result.finalLoss(), result.steps());
        return 0;
    }

    private static void putIfGiven(Map<String, Object> overrides, String key, Object value) {
        if (value != null) overrides.put(key, value);
    }
}

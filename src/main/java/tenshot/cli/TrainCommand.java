package tenshot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
public final class TrainCommand implements Cli.Command {

    private static final Set<String> VALUED = Set.of("model", "model-id", "style", "style-id", "recipe", "recipe-file", "steps",
            "out", "device", "seed", "resolution", "checkpoint-every", "preview-every", "preview-steps", "class-images",
            "class-images-per-prompt", "class-image-steps", "lr");
    private static final Set<String> FLAGS = Set.of("resume");

    @Override
    public String summary() {
        return "train a style LoRA: --model DIR --style DIR --style-id 00 --recipe safe [--steps N --out DIR --device cpu --resume]";
    }

    @Override
    public int run(String[] args) throws Exception {
        CommandOptions options = CommandOptions.parse(args, VALUED, FLAGS);
        Path model = options.path("model");
        Path style = options.path("style");
        String styleId = options.required("style-id");
        TrainingRecipe recipe = options.has("recipe-file")
                ? TrainingRecipe.fromJson(Files.readString(options.path("recipe-file")))
                : TrainingRecipe.preset(options.string("recipe", "safe"));
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (options.has("steps")) overrides.put("steps", options.integer("steps", 0));
        if (options.has("seed")) overrides.put("seed", options.longValue("seed", 0));
        if (options.has("resolution")) overrides.put("resolution", options.integer("resolution", 0));
        if (options.has("checkpoint-every")) overrides.put("checkpointEvery", options.integer("checkpoint-every", 0));
        if (options.has("preview-every")) overrides.put("previewEvery", options.integer("preview-every", 0));
        if (options.has("preview-steps")) overrides.put("previewSteps", options.integer("preview-steps", 1));
        if (options.has("class-images-per-prompt")) overrides.put("classImagesPerPrompt", options.integer("class-images-per-prompt", 1));
        if (options.has("class-image-steps")) overrides.put("classImageSteps", options.integer("class-image-steps", 1));
        if (options.has("lr")) overrides.put("learningRate", options.number("lr", 0));
        if (!overrides.isEmpty()) recipe = recipe.with(overrides);
        Path out = Path.of(options.string("out", "train-out"));
        TrainingJob job = new TrainingJob(model, options.string("model-id", null), style, styleId, recipe, out, null,
                options.has("class-images") ? options.path("class-images") : null,
                EngineDevice.parse(options.string("device", "cpu")), options.has("resume"));

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
}

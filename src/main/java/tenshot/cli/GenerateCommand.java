package tenshot.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.Images;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.StyleImageReader;
import tenshot.diffusion.train.StyleFolder;

/** {@code generate}: a prompt list into a folder of PNGs, one per prompt, named after the prompt. */
@Command(name = "generate", sortOptions = false,
        description = "generate PNGs from a prompt list (txt2img, or img2img from a style set's average image)")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "diffusers-format Stable Diffusion folder (model_index.json, unet/, vae/, ...)")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE.json", description = "{\"0\": \"Dolphin\", ...} or [\"a prompt\", ...]")
    Path prompts;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the PNGs go (one per prompt, named after it)")
    Path out;

    @Option(names = "--style-id", paramLabel = "ID", description = "prompts become \"an image of {object} in style_{ID}\" (or --template)")
    String styleId;

    @Option(names = "--template", paramLabel = "TEXT", description = "prompt template with {object} and {id}")
    String template;

    @Option(names = "--negative", paramLabel = "TEXT", defaultValue = "", description = "negative prompt (default \"\")")
    String negative;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "40", description = "denoising steps (${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", paramLabel = "G", defaultValue = "7.5", description = "classifier-free guidance scale (${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed; prompt i uses S+i (${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--size", paramLabel = "PX|WxH", description = "image size in multiples of 8 (the model's)")
    String size;

    @Option(names = "--scheduler", paramLabel = "ddim|dpmpp2m|dpmpp2m_karras|euler|pndm", description = "sampler (the model's scheduler config)")
    Scheduler.Kind scheduler;

    @Option(names = "--lora", paramLabel = "FILE", description = "a diffusers/peft UNet LoRA (pytorch_lora_weights.safetensors)")
    Path lora;

    @Option(names = "--lora-scale", paramLabel = "S", defaultValue = "1.0", description = "LoRA scale (${DEFAULT-VALUE})")
    double loraScale;

    @Option(names = "--init-average", paramLabel = "STYLE_DIR", description = "img2img from the average image of STYLE_DIR/images")
    Path initAverage;

    @Option(names = "--strength", paramLabel = "S", defaultValue = "0.8", description = "img2img strength (${DEFAULT-VALUE})")
    double strength;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "4", description = "prompts per batch (${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu", description = "where to run (${DEFAULT-VALUE})")
    EngineDevice device;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1");
        List<String> objects = PromptFile.read(this.prompts);
        List<String> prompts = new ArrayList<>();
        if (styleId != null || template != null) {
            PromptTemplate promptTemplate = new PromptTemplate(template != null ? template : PromptTemplate.DEFAULT_INSTANCE.template());
            for (String object : objects) prompts.add(promptTemplate.render(object, styleId != null ? styleId : ""));
        } else {
            prompts.addAll(objects);
        }
        Files.createDirectories(out);

        try (StableDiffusion sd = StableDiffusionLoader.load(model, device)) {
            if (lora != null) StableDiffusionLoader.applyLora(sd, lora, loraScale);
            int[] size = parseSize(this.size, sd.defaultSize());
            BufferedImage init = null;
            if (initAverage != null) {
                StyleFolder style = StyleFolder.open(initAverage);
                List<BufferedImage> images = new ArrayList<>();
                for (Path image : style.images()) images.add(StyleImageReader.read(image));
                init = Images.average(images, size[0], size[1]);
            }
            DiffusionPipeline pipeline = new DiffusionPipeline(sd);
            List<String> names = fileNames(objects);
            System.out.printf("generating %d images %dx%d on %s, %d steps, cfg %.2f%n", prompts.size(), size[0], size[1],
                    device, steps, cfg);
            for (int from = 0; from < prompts.size(); from += batch) {
                int to = Math.min(prompts.size(), from + batch);
                long[] seeds = new long[to - from];
                for (int i = from; i < to; i++) seeds[i - from] = seed + i;
                GenerationRequest.Builder request = GenerationRequest.builder(prompts.subList(from, to))
                        .negativePrompt(negative)
                        .seeds(seeds)
                        .size(size[0], size[1])
                        .steps(steps)
                        .guidanceScale(cfg)
                        .scheduler(scheduler);
                if (init != null) request.initImage(init, strength);
                int first = from;
                int last = to;
                StepListener progress = report -> System.out.printf("\r  images %d-%d: step %d/%d (%.2f s/step)   ",
                        first + 1, last, report.step(), report.total(), report.secondsPerStep());
                List<BufferedImage> images = pipeline.generate(request.build(), progress);
                System.out.println();
                for (int i = 0; i < images.size(); i++) {
                    Path file = out.resolve(names.get(from + i) + ".png");
                    Images.writePng(images.get(i), file);
                    System.out.println("  wrote " + file);
                }
            }
        }
        return 0;
    }

    /** "512" or "768x512" (width x height); multiples of 8. */
    static int[] parseSize(String value, int fallback) {
        if (value == null) return new int[] {fallback, fallback};
        String[] parts = value.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(parts[0].trim());
            int h = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : w;
            if (parts.length > 2 || w <= 0 || h <= 0 || w % 8 != 0 || h % 8 != 0) throw new NumberFormatException();
            return new int[] {w, h};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be PX or WxH in multiples of 8, got '" + value + "'");
        }
    }

    /** File-system-safe, unique names: the prompt's object with unsafe characters replaced. */
    static List<String> fileNames(List<String> objects) {
        Set<String> used = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            String base = objects.get(i).strip().replaceAll("[^\\p{L}\\p{N} ._-]", "_");
            if (base.isEmpty() || base.startsWith(".")) base = String.format("%03d", i) + base;
            if (base.length() > 120) base = base.substring(0, 120);
            String name = base;
            for (int n = 2; !used.add(name.toLowerCase(Locale.ROOT)); n++) name = base + "_" + n;
            out.add(name);
        }
        return out;
    }
}

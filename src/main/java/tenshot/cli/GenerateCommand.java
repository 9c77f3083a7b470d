package tenshot.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
import tenshot.diffusion.train.StyleSet;

/** {@code generate}: a prompt list into a folder of PNGs, one per prompt, named after the prompt. */
final class GenerateCommand implements Cli.Command {

    private static final Set<String> VALUED = Set.of("model", "prompts", "out", "steps", "cfg", "seed", "size", "scheduler",
            "lora", "lora-scale", "init-average", "strength", "device", "style-id", "template", "negative", "batch");

    static final String USAGE = """
            usage: generate --model DIR --prompts FILE.json --out DIR [options]
              --model DIR            diffusers-format Stable Diffusion folder (model_index.json, unet/, vae/, ...)
              --prompts FILE.json    {"0": "Dolphin", ...} or ["a prompt", ...]
              --out DIR              where the PNGs go (one per prompt, named after it)
              --style-id ID          prompts become "an image of {object} in style_{ID}" (or --template)
              --template TEXT        prompt template with {object} and {id}
              --negative TEXT        negative prompt (default "")
              --steps N (40)  --cfg G (7.5)  --seed S (0; prompt i uses S+i)  --size PX or WxH (model's)
              --scheduler ddim|dpmpp2m|dpmpp2m_karras|euler|pndm (the model's scheduler config)
              --lora FILE [--lora-scale 1.0]   a diffusers/peft UNet LoRA (pytorch_lora_weights.safetensors)
              --init-average STYLE_DIR [--strength 0.8]  img2img from the average image of STYLE_DIR/images
              --batch N (4)  prompts per batch;  --device cpu|cuda|cuda:N (cpu)""";

    @Override
    public String summary() {
        return "generate PNGs from a prompt list (txt2img, or img2img from a style set's average image)";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0 || List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        CommandOptions options = CommandOptions.parse(args, VALUED, Set.of());
        Path modelDir = options.path("model");
        List<String> objects = PromptFile.read(options.path("prompts"));
        Path out = options.path("out");
        List<String> prompts = new ArrayList<>();
        if (options.has("style-id") || options.has("template")) {
            PromptTemplate template = new PromptTemplate(options.string("template", PromptTemplate.DEFAULT_INSTANCE.template()));
            String styleId = options.string("style-id", "");
            for (String object : objects) prompts.add(template.render(object, styleId));
        } else {
            prompts.addAll(objects);
        }
        EngineDevice device = EngineDevice.parse(options.string("device", "cpu"));
        int batch = options.integer("batch", 4);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1");
        long seed = options.longValue("seed", 0);
        Scheduler.Kind scheduler = options.has("scheduler") ? Scheduler.Kind.parse(options.string("scheduler", "")) : null;
        Files.createDirectories(out);

        try (StableDiffusion model = StableDiffusionLoader.load(modelDir, device)) {
            if (options.has("lora")) {
                StableDiffusionLoader.applyLora(model, options.path("lora"), options.number("lora-scale", 1.0));
            }
            int[] size = parseSize(options.string("size", null), model.defaultSize());
            BufferedImage init = null;
            double strength = options.number("strength", 0.8);
            if (options.has("init-average")) {
                StyleSet style = StyleSet.open(options.path("init-average"));
                List<BufferedImage> images = new ArrayList<>();
                for (Path image : style.images()) images.add(StyleImageReader.read(image));
                init = Images.average(images, size[0], size[1]);
            }
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            List<String> names = fileNames(objects);
            System.out.printf("generating %d images %dx%d on %s, %d steps, cfg %.2f%n", prompts.size(), size[0], size[1],
                    device, options.integer("steps", 40), options.number("cfg", 7.5));
            for (int from = 0; from < prompts.size(); from += batch) {
                int to = Math.min(prompts.size(), from + batch);
                long[] seeds = new long[to - from];
                for (int i = from; i < to; i++) seeds[i - from] = seed + i;
                GenerationRequest.Builder request = GenerationRequest.builder(prompts.subList(from, to))
                        .negativePrompt(options.string("negative", ""))
                        .seeds(seeds)
                        .size(size[0], size[1])
                        .steps(options.integer("steps", 40))
                        .guidanceScale(options.number("cfg", 7.5))
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

package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.StyleAdapters;
import tenshot.diffusion.schedulers.Scheduler;

/**
 * Every prompt of every style of a board in shared denoising loops: each batch mixes styles, each row
 * goes through its own style's LoRA ({@link StyleAdapters}) and starts from its own style's image, so
 * a board's hundreds of images fill the GPU instead of trickling through one style at a time. Each
 * image keeps the seed it would have alone, so a board's images are the ones its styles would
 * generate one by one (up to the rounding of batched kernels).
 */
public final class BoardGenerator {

    /**
     * One style of the board.
     *
     * @param lora the style's trained LoRA file
     * @param start the img2img start of its prompts, or null for txt2img
     * @param prompts the rendered prompts, in output order
     * @param seeds one seed per prompt
     */
    public record Style(Path lora, BufferedImage start, List<String> prompts, long[] seeds) {
        public Style {
            prompts = List.copyOf(prompts);
            if (seeds.length != prompts.size()) {
                throw new IllegalArgumentException(prompts.size() + " prompts but " + seeds.length + " seeds");
            }
            if (!Files.isRegularFile(lora)) throw new IllegalArgumentException("LoRA file " + lora + " does not exist");
        }
    }

    /** The sampling settings every image of the board shares. */
    public record Settings(int size, int steps, double guidanceScale, Scheduler.Kind scheduler, double strength, int batchSize) {
        public Settings {
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    /** Receives each image as soon as its batch is decoded. */
    @FunctionalInterface
    public interface Sink {
        void accept(int style, int prompt, BufferedImage image) throws Exception;
    }

    /** Receives each final latent ({@code [1, C, h, w]}, owned by the manager given to {@link #generateLatents}) as its batch ends. */
    @FunctionalInterface
    public interface LatentSink {
        void accept(int style, int prompt, NDArray latent) throws Exception;
    }

    /** What a batch's final latents become. */
    @FunctionalInterface
    private interface BatchEnd {
        void accept(List<Item> items, GenerationRequest request, DiffusionPipeline pipeline) throws Exception;
    }

    /** One image of the board: a style and the index of one of its prompts. */
    private record Item(int style, int prompt) {}

    private final StableDiffusion model;

    public BoardGenerator(StableDiffusion model) {
        this.model = model;
    }

    /** Generates every prompt of every style, {@code settings.batchSize()} images per denoising loop. */
    public void generate(List<Style> styles, Settings settings, Sink sink, StepListener listener) throws Exception {
        inBatches(styles, settings, (items, request, pipeline) -> {
            List<BufferedImage> images = pipeline.generate(request, listener);
            for (int i = 0; i < items.size(); i++) sink.accept(items.get(i).style(), items.get(i).prompt(), images.get(i));
        });
    }

    /**
     * As {@link #generate}, but each image's final latent (what {@code generate} would decode) goes to {@code sink},
     * in {@code manager}: the content of StyleID on a board. The adapters are off again when it returns.
     */
    public void generateLatents(List<Style> styles, Settings settings, LatentSink sink, StepListener listener, NDManager manager)
            throws Exception {
        inBatches(styles, settings, (items, request, pipeline) -> {
            NDArray latents = pipeline.generateLatents(request, listener, manager);
            for (int i = 0; i < items.size(); i++) sink.accept(items.get(i).style(), items.get(i).prompt(), latents.get(i + ":" + (i + 1)));
        });
    }

    private void inBatches(List<Style> styles, Settings settings, BatchEnd end) throws Exception {
        List<Item> items = new ArrayList<>();
        for (int s = 0; s < styles.size(); s++) for (int p = 0; p < styles.get(s).prompts().size(); p++) items.add(new Item(s, p));
        List<LoraSet> sets = new ArrayList<>();
        try {
            for (Style style : styles) {
                sets.add(LoraSet.load(style.lora(), model.linears(), 1.0, model.manager(), model.device().dtype()));
            }
        } catch (RuntimeException e) {
            for (LoraSet set : sets) set.close();
            throw e;
        }
        boolean guided = settings.guidanceScale() > 1.0;
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        try (StyleAdapters routed = StyleAdapters.attach(sets, model.manager())) {
            for (int from = 0; from < items.size(); from += settings.batchSize()) {
                List<Item> batch = items.subList(from, Math.min(items.size(), from + settings.batchSize()));
                List<String> prompts = new ArrayList<>();
                List<BufferedImage> starts = new ArrayList<>();
                long[] seeds = new long[batch.size()];
                // the pipeline's rows: the negative prompt's rows first when guided, then the prompts'
                int[] rowStyles = new int[guided ? 2 * batch.size() : batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    Style style = styles.get(batch.get(i).style());
                    prompts.add(style.prompts().get(batch.get(i).prompt()));
                    seeds[i] = style.seeds()[batch.get(i).prompt()];
                    starts.add(style.start());
                    rowStyles[i] = batch.get(i).style();
                    if (guided) rowStyles[batch.size() + i] = batch.get(i).style();
                }
                boolean img2img = starts.stream().allMatch(java.util.Objects::nonNull);
                if (!img2img && starts.stream().anyMatch(java.util.Objects::nonNull)) {
                    throw new IllegalArgumentException("every style of a board starts from an image, or none does");
                }
                GenerationRequest.Builder request = GenerationRequest.builder(prompts).seeds(seeds)
                        .size(settings.size(), settings.size()).steps(settings.steps()).guidanceScale(settings.guidanceScale())
                        .scheduler(settings.scheduler());
                if (img2img) request.initImages(starts, settings.strength());
                routed.route(rowStyles);
                end.accept(batch, request.build(), pipeline);
            }
        }
    }
}

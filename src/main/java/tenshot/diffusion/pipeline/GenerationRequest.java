package tenshot.diffusion.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;
import tenshot.diffusion.schedulers.Scheduler;

/**
 * What to generate: one image per prompt, each with its own seed, at one size and one set of
 * sampling settings. With init images the run is img2img (SDEdit) at {@code strength}.
 *
 * @param scheduler the sampler, or {@code null} for the one the model's scheduler config names
 * @param initImages the img2img start of each prompt (any size; resized to width x height; one image may
 *     start several prompts), or empty for txt2img
 */
public record GenerationRequest(
        List<String> prompts,
        String negativePrompt,
        long[] seeds,
        int width,
        int height,
        int steps,
        double guidanceScale,
        Scheduler.Kind scheduler,
        List<BufferedImage> initImages,
        double strength) {

    public GenerationRequest {
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to generate");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (seeds == null || seeds.length != prompts.size()) {
            throw new IllegalArgumentException("need one seed per prompt: " + prompts.size() + " prompts, "
                    + (seeds == null ? 0 : seeds.length) + " seeds");
        }
        seeds = seeds.clone();
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive multiples of 8");
        }
        if (steps < 1 || steps > 1000) throw new IllegalArgumentException("steps must be in 1..1000, got " + steps);
        if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be a finite number >= 0, got " + guidanceScale);
        }
        initImages = initImages == null ? List.of() : List.copyOf(initImages);
        if (!initImages.isEmpty() && initImages.size() != prompts.size()) {
            throw new IllegalArgumentException("need one init image per prompt: " + prompts.size() + " prompts, "
                    + initImages.size() + " init images");
        }
        if (!initImages.isEmpty() && !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
        }
    }

    public static Builder builder(List<String> prompts) {
        return new Builder(prompts);
    }

    public boolean isImageToImage() {
        return !initImages.isEmpty();
    }

    /** Defaults: negative "", seeds 0..n-1, 512x512, 40 steps, CFG 7.5, the model's scheduler, txt2img. */
    public static final class Builder {
        private final List<String> prompts;
        private String negativePrompt = "";
        private long[] seeds;
        private int width = 512;
        private int height = 512;
        private int steps = 40;
        private double guidanceScale = 7.5;
        private Scheduler.Kind scheduler;
        private List<BufferedImage> initImages = List.of();
        private double strength = 0.8;

        private Builder(List<String> prompts) {
            this.prompts = List.copyOf(prompts);
            seed(0);
        }

        public Builder negativePrompt(String value) {
            negativePrompt = value;
            return this;
        }

        /** Seeds {@code base, base + 1, ...}, one per prompt. */
        public Builder seed(long base) {
            seeds = new long[prompts.size()];
            for (int i = 0; i < seeds.length; i++) seeds[i] = base + i;
            return this;
        }

        public Builder seeds(long[] value) {
            seeds = value.clone();
            return this;
        }

        public Builder size(int w, int h) {
            width = w;
            height = h;
            return this;
        }

        public Builder steps(int value) {
            steps = value;
            return this;
        }

        public Builder guidanceScale(double value) {
            guidanceScale = value;
            return this;
        }

        public Builder scheduler(Scheduler.Kind value) {
            scheduler = value;
            return this;
        }

        /** Every prompt starts from {@code image}. */
        public Builder initImage(BufferedImage image, double strengthValue) {
            return initImages(image == null ? List.of() : java.util.Collections.nCopies(prompts.size(), image), strengthValue);
        }

        /** Prompt {@code i} starts from {@code images.get(i)}. */
        public Builder initImages(List<BufferedImage> images, double strengthValue) {
            initImages = images;
            strength = strengthValue;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompts, negativePrompt, seeds, width, height, steps, guidanceScale, scheduler,
                    initImages, strength);
        }
    }
}

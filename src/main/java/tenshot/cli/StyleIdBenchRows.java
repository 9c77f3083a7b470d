package tenshot.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.util.List;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.styleid.StyleIdPipeline;
import tenshot.diffusion.styleid.StyleInjection;
import tenshot.diffusion.styleid.StyleInversion;

/**
 * The StyleID rows of {@code bench}: one image generated plainly (DDIM txt2img, CFG 7.5) against the same
 * image stylised by StyleID with its defaults, as a run's GENERATE makes it: the content latent, the style
 * image's inversion (once per style image, shared by its contents) and the transfer (the content's inversion,
 * then the injected denoising), all with {@code steps} steps. Each part is timed after one warm-up of the whole.
 */
final class StyleIdBenchRows {

    private StyleIdBenchRows() {}

    static List<String[]> measure(StableDiffusion model, int size, int steps) {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        GenerationRequest request = GenerationRequest.builder(List.of("an image of a dolphin in style_00"))
                .size(size, size).steps(steps).seed(0).scheduler(Scheduler.Kind.DDIM).build();
        BufferedImage style = BenchImages.noise(size, 1);
        double[] seconds = null;
        long storedBytes = 0;
        try (StyleIdPipeline styleId = new StyleIdPipeline(pipeline, StyleInjection.defaults())) {
            for (int round = 0; round < 2; round++) { // the first round warms kernels and the allocator up
                seconds = new double[4];
                long began = System.nanoTime();
                pipeline.generate(request, StepListener.NONE);
                seconds[0] = (System.nanoTime() - began) / 1e9;
                try (NDManager work = model.manager().newSubManager()) {
                    began = System.nanoTime();
                    NDArray content = pipeline.generateLatents(request, StepListener.NONE, work);
                    content.get(0, 0, 0, 0).toFloatArray();
                    seconds[1] = (System.nanoTime() - began) / 1e9;
                    began = System.nanoTime();
                    try (StyleInversion inversion = styleId.invertStyle(style, size, size, steps)) {
                        inversion.latent().get(0, 0, 0, 0).toFloatArray();
                        seconds[2] = (System.nanoTime() - began) / 1e9;
                        storedBytes = inversion.storedBytes();
                        began = System.nanoTime();
                        styleId.transfer(content, inversion);
                        seconds[3] = (System.nanoTime() - began) / 1e9;
                    }
                }
            }
        }
        String what = "StyleID (defaults), DDIM " + steps + " steps, CFG 7.5 content";
        return List.of(
                new String[] {"plain txt2img, DDIM " + steps + " steps, CFG 7.5", size + " px", "1 image",
                    String.format("%.2f s", seconds[0]), ""},
                new String[] {what, size + " px", "1 image",
                    String.format("%.2f s per image with its own style inversion (content latent %.2f s, style inversion %.2f s,"
                            + " transfer %.2f s); %.2f s per further image of the same style image; the inversion holds %.0f MiB",
                            seconds[1] + seconds[2] + seconds[3], seconds[1], seconds[2], seconds[3], seconds[1] + seconds[3],
                            storedBytes / 1048576.0),
                    ""});
    }
}

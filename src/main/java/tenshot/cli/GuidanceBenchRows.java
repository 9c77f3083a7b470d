package tenshot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.guidance.StyleGuidance;
import tenshot.diffusion.guidance.StyleGuide;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.GenerationRequest;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.scoring.models.ClipImageTower;

/**
 * The style-guidance rows of {@code bench}: seconds per image of a DDIM txt2img with none, the default
 * number and all of its steps guided (VAE decode, Ψ and their backward per guided step and image), with
 * the CLIP ViT-L/14 image tower as Ψ (random weights of its published shape unless a CLIP folder is given).
 */
final class GuidanceBenchRows {

    /** openai/clip-vit-large-patch14's vision tower and projection, as its config.json gives them. */
    private static final String VIT_L14 = """
            {"projection_dim": 768, "vision_config": {"hidden_size": 1024, "intermediate_size": 4096,
             "num_hidden_layers": 24, "num_attention_heads": 16, "patch_size": 14, "image_size": 224,
             "layer_norm_eps": 1e-5, "hidden_act": "quick_gelu"}}""";

    private GuidanceBenchRows() {}

    static List<String[]> measure(StableDiffusion model, EngineDevice device, Path clip, int size, int steps, int images)
            throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (ClipImageTower tower = clip != null ? ClipImageTower.load(clip, device)
                : ClipImageTower.random(new ObjectMapper().readTree(VIT_L14), device, 0)) {
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < images; i++) prompts.add("an image of a dolphin in style_00");
            GenerationRequest request = GenerationRequest.builder(prompts).size(size, size).steps(steps).seed(0)
                    .scheduler(Scheduler.Kind.DDIM).build();
            List<BufferedImage> style = List.of(BenchImages.noise(size, 1), BenchImages.noise(size, 2));
            Set<Integer> guided = new LinkedHashSet<>(List.of(0, Math.min(StyleGuidance.defaults().lastSteps(), steps), steps));
            new DiffusionPipeline(model).generate(request, StepListener.NONE); // warm-up: kernels, allocator
            for (int k : guided) {
                try (StyleGuide guide = k == 0 ? null
                        : StyleGuide.toward(model, tower, new StyleGuidance(k, StyleGuidance.defaults().stepSize()), style)) {
                    long start = System.nanoTime();
                    new DiffusionPipeline(model, guide).generate(request, StepListener.NONE);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    rows.add(new String[] {"txt2img " + steps + " DDIM steps, " + k + " guided", size + " px",
                        images + " image(s), CFG 7.5, Ψ CLIP ViT-L/14" + (clip == null ? " (random)" : ""),
                        String.format("%.2f s per image (%.1f s total)", seconds / images, seconds), ""});
                }
            }
        }
        return rows;
    }
}

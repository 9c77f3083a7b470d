package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.testing.Fixtures;

/**
 * A board's images generated in mixed-style batches are the images each style generates alone with its
 * own LoRA, start image and seeds: equal pixel for pixel, up to one 8-bit step where batched kernels round
 * differently.
 */
class BoardGeneratorTest {

    @TempDir
    Path dir;

    /** A second style: the golden LoRA with its up projections scaled, so the two styles differ. */
    private Path otherLora(NDManager m) {
        SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("lora/pytorch_lora_weights.safetensors"));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String key : golden.keys()) {
            NDArray t = golden.load(key, m);
            tensors.put(key, key.contains(".up.") || key.contains("lora_B") ? t.mul(-2.5f) : t);
        }
        Path file = dir.resolve("other.safetensors");
        SafetensorsWriter.write(file, tensors, golden.metadata());
        return file;
    }

    private static BufferedImage flat(int rgb) {
        BufferedImage image = new BufferedImage(80, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 80; x++) image.setRGB(x, y, rgb + (x << 8) + y);
        return image;
    }

    @Test
    void mixedBatchesEqualEachStyleAlone() throws Exception {
        try (StableDiffusion model = StableDiffusionLoader.load(Fixtures.tinySd21(), EngineDevice.cpu());
                NDManager m = NDManager.newBaseManager()) {
            List<BoardGenerator.Style> styles = List.of(
                    new BoardGenerator.Style(Fixtures.golden("lora/pytorch_lora_weights.safetensors"), flat(0x402010),
                            List.of("a boat in style_00", "a bear in style_00", "a tree in style_00"), new long[] {3, 4, 5}),
                    new BoardGenerator.Style(otherLora(m), flat(0x104080),
                            List.of("a boat in style_01", "a cat in style_01", "a house in style_01"), new long[] {7, 8, 9}));
            BoardGenerator.Settings settings = new BoardGenerator.Settings(64, 4, 7.5, Scheduler.Kind.DDIM, 0.9, 4);
            BufferedImage[][] board = new BufferedImage[2][3];
            new BoardGenerator(model).generate(styles, settings, (s, p, image) -> board[s][p] = image, StepListener.NONE);

            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            int worst = 0;
            for (int s = 0; s < 2; s++) {
                BoardGenerator.Style style = styles.get(s);
                try (LoraSet alone = StableDiffusionLoader.applyLora(model, style.lora(), 1.0)) {
                    List<BufferedImage> images = pipeline.generate(GenerationRequest.builder(style.prompts()).seeds(style.seeds())
                            .size(64, 64).steps(4).guidanceScale(7.5).scheduler(Scheduler.Kind.DDIM)
                            .initImage(style.start(), 0.9).build(), StepListener.NONE);
                    for (int p = 0; p < 3; p++) worst = Math.max(worst, maxPixelDifference(images.get(p), board[s][p]));
                }
            }
            assertTrue(worst <= 1, "board images differ from the styles' own by up to " + worst + "/255");
            assertTrue(maxPixelDifference(board[0][0], board[1][0]) > 8, "the two styles' LoRAs make different images");
        }
    }

    @Test
    void boardLatentsAreWhatTheBoardDecodesAndTheAdaptersComeOffAfter() throws Exception {
        try (StableDiffusion model = StableDiffusionLoader.load(Fixtures.tinySd21(), EngineDevice.cpu());
                NDManager m = NDManager.newBaseManager()) {
            List<BoardGenerator.Style> styles = List.of(
                    new BoardGenerator.Style(Fixtures.golden("lora/pytorch_lora_weights.safetensors"), null,
                            List.of("a boat in style_00", "a bear in style_00"), new long[] {3, 4}),
                    new BoardGenerator.Style(otherLora(m), null, List.of("a cat in style_01"), new long[] {8}));
            // one image per loop, so decoding one latent is exactly what the board's own decode did
            BoardGenerator.Settings settings = new BoardGenerator.Settings(64, 3, 7.5, Scheduler.Kind.DDIM, 1.0, 1);
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            GenerationRequest plain = GenerationRequest.builder(List.of("a boat")).seeds(new long[] {3}).size(64, 64).steps(3)
                    .guidanceScale(7.5).scheduler(Scheduler.Kind.DDIM).build();
            BufferedImage before = pipeline.generate(plain, StepListener.NONE).get(0);

            BufferedImage[][] board = new BufferedImage[2][2];
            new BoardGenerator(model).generate(styles, settings, (s, p, image) -> board[s][p] = image, StepListener.NONE);
            NDArray[][] latents = new NDArray[2][2];
            new BoardGenerator(model).generateLatents(styles, settings, (s, p, latent) -> latents[s][p] = latent, StepListener.NONE, m);
            int images = 0;
            for (int s = 0; s < 2; s++) {
                for (int p = 0; p < styles.get(s).prompts().size(); p++) {
                    assertEquals(new ai.djl.ndarray.types.Shape(1, model.latentChannels(), 8, 8), latents[s][p].getShape());
                    BufferedImage decoded = Images.fromTensor(pipeline.decode(latents[s][p])).get(0);
                    assertEquals(0, maxPixelDifference(decoded, board[s][p]), "style " + s + " prompt " + p);
                    images++;
                }
            }
            assertEquals(3, images);
            assertEquals(0, maxPixelDifference(before, pipeline.generate(plain, StepListener.NONE).get(0)),
                    "the base model is back once the latents are made");
        }
    }

    private static int maxPixelDifference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) worst = Math.max(worst, Math.abs((p >> shift & 255) - (q >> shift & 255)));
            }
        }
        return worst;
    }
}

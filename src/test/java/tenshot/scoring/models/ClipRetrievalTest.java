package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.ClipRCandidates;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.ScoredStyle;
import tenshot.scoring.TensorFixture;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;
import tenshot.testing.Fixtures;

class ClipRetrievalTest {

    private static ClipRetrieval model;

    @BeforeAll
    static void load() throws Exception {
        model = ClipRetrieval.load(Fixtures.metrics("clip-vit-l14"), EngineDevice.cpu());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void idsPixelsEmbeddingsAndLogitsMatchTransformers() throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("clip_r.safetensors"));
        JsonNode expected = MetricFixtures.json("clip_r.json");
        List<String> texts = new ArrayList<>();
        expected.get("texts_in_order").forEach(n -> texts.add(n.asText()));
        List<String> lines = Files.readAllLines(Fixtures.dataset("clip_r_candidates.txt"));
        String sample = expected.get("sample_image").asText();
        assertEquals(texts, ClipRCandidates.forPrompt(lines, ScoredStyle.prompt(java.nio.file.Path.of(sample))));

        long[] ids = t.longs("input_ids");
        long[] mask = t.longs("attention_mask");
        int width = (int) t.shape("input_ids")[1];
        for (int i = 0; i < texts.size(); i++) {
            int len = 0;
            while (len < width && mask[i * width + len] == 1) len++;
            assertArrayEquals(Arrays.copyOfRange(ids, i * width, i * width + len), model.tokenize(texts.get(i)), texts.get(i));
        }

        RgbImage image = ImageFiles.read(MetricFixtures.image(sample));
        float[] pixels = t.floats("pixel_values");
        float[] got = model.preprocess(image);
        for (int i = 0; i < got.length; i++) assertEquals(pixels[i], got[i], 1e-5, "pixel " + i);
        assertClose(t.floats("image_embeds"), normalize(t.floats("image_embeds")), 1e-6, "fixture embeds are unit");
        assertClose(t.floats("image_embeds"), model.imageEmbedding(image), 1e-4, "image embedding");
        float[] textEmbeds = t.floats("text_embeds");
        int dim = (int) t.shape("text_embeds")[1];
        for (int i = 0; i < texts.size(); i += 23) {
            assertClose(Arrays.copyOfRange(textEmbeds, i * dim, (i + 1) * dim), model.textEmbedding(texts.get(i)), 1e-4, texts.get(i));
        }
        double[] logits = model.logits(image, texts);
        float[] expectedLogits = t.floats("logits_per_image");
        for (int i = 0; i < logits.length; i++) assertEquals(expectedLogits[i], logits[i], 1e-4, texts.get(i));
    }

    @Test
    void top5AndCorrectnessMatchForEveryImage() throws Exception {
        JsonNode expected = MetricFixtures.json("clip_r.json").get("per_image");
        List<String> lines = Files.readAllLines(Fixtures.dataset("clip_r_candidates.txt"));
        for (var it = expected.fields(); it.hasNext();) {
            var e = it.next();
            String prompt = ScoredStyle.prompt(java.nio.file.Path.of(e.getKey())).toLowerCase();
            List<String> top = model.topK(ImageFiles.read(MetricFixtures.image(e.getKey())),
                    ClipRCandidates.forPrompt(lines, prompt), 5);
            List<String> want = new ArrayList<>();
            e.getValue().get("top5").forEach(n -> want.add(n.asText()));
            assertEquals(want, top, e.getKey());
            assertEquals(e.getValue().get("correct").asBoolean(), top.contains(prompt), e.getKey());
        }
    }

    private static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) n += x * x;
        float[] out = v.clone();
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / Math.sqrt(n));
        return out;
    }

    private static void assertClose(float[] expected, float[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], tol, what + " [" + i + "]");
    }
}

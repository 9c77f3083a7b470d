package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;
import tenshot.testing.Fixtures;

class ClipIqaTest {

    @Test
    void qualitiesMatchTorchmetricsWithTheKitsPixelRange() throws Exception {
        JsonNode expected = MetricFixtures.json("clip_iqa.json");
        ClipTokenizer tok = ClipTokenizer.load(Fixtures.metrics("clip-iqa"));
        String[] prompts = {ClipIqa.GOOD, ClipIqa.BAD};
        for (int p = 0; p < 2; p++) {
            long[] ids = ClipIqa.anchorIds(tok, prompts[p]);
            JsonNode want = expected.get("anchor_token_ids").get(p);
            for (int i = 0; i < ids.length; i++) assertEquals(i < want.size() ? want.get(i).asLong() : 0L, ids[i], prompts[p] + " id " + i);
        }
        try (ClipIqa model = ClipIqa.load(Fixtures.metrics("clip-iqa"), EngineDevice.cpu())) {
            double sum = 0;
            int count = 0;
            for (var it = expected.get("per_image_quality").fields(); it.hasNext();) {
                var e = it.next();
                RgbImage image = ImageFiles.read(MetricFixtures.image(e.getKey()));
                double q = model.quality(image, true);
                assertEquals(e.getValue().asDouble(), q, 1e-4, e.getKey());
                if (e.getKey().startsWith("gen/")) {
                    sum += q;
                    count++;
                }
                if (e.getKey().equals("synthetic/Rainbow.png")) {
                    double corrected = model.quality(image, false);
                    assertTrue(corrected > 0 && corrected < 1 && Math.abs(corrected - q) > 1e-3, "corrected " + corrected);
                }
            }
            assertEquals(expected.get("clip_iqa_gen01").asDouble(), sum / count, 1e-5);
        }
    }
}

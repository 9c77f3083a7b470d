package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.TensorFixture;
import tenshot.scoring.image.ImageFiles;
import tenshot.testing.Fixtures;

class Dinov2Test {

    private static Dinov2 model;

    @BeforeAll
    static void load() throws Exception {
        model = Dinov2.load(Fixtures.metrics("dinov2"), EngineDevice.cpu());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void poolerOutputsAndDinoScoreMatchTransformers() throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("dino.safetensors"));
        JsonNode expected = MetricFixtures.json("dino.json");
        List<float[]> refs = new ArrayList<>();
        List<String> refNames = MetricFixtures.names("ref");
        for (int i = 0; i < refNames.size(); i++) {
            float[] e = model.embed(ImageFiles.read(MetricFixtures.image(refNames.get(i))));
            assertRow(t.row("pooler_output_all_ref", i), e, refNames.get(i));
            refs.add(e);
        }
        List<String> gens = MetricFixtures.names("gen");
        double sum = 0;
        int count = 0;
        for (int i = 0; i < gens.size(); i++) {
            float[] g = model.embed(ImageFiles.read(MetricFixtures.image(gens.get(i))));
            assertRow(t.row("pooler_output_all_gen", i), g, gens.get(i));
            double mean = 0;
            for (float[] r : refs) mean += tenshot.scoring.ScorerAccess.cosine(g, r);
            mean /= refs.size();
            assertEquals(expected.get("per_gen_mean_cos_vs_refs").get(gens.get(i)).asDouble(), mean, 1e-5, gens.get(i));
            if (gens.get(i).startsWith("gen/")) {
                sum += mean;
                count++;
            }
        }
        assertEquals(expected.get("dino_score_gen01_vs_ref00").asDouble(), sum / count, 1e-5);
    }

    private static void assertRow(double[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-4, what + " [" + i + "]");
    }
}

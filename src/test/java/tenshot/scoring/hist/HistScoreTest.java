package tenshot.scoring.hist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.image.ImageFiles;

class HistScoreTest {

    @Test
    void hsvConversionIsExactOnTheOpenCvLattice() {
        JsonNode lattice = MetricFixtures.json("hist.json").get("bgr_to_hsv_lattice");
        JsonNode bgr = lattice.get("bgr");
        JsonNode hsv = lattice.get("hsv");
        for (int i = 0; i < bgr.size(); i++) {
            int b = bgr.get(i).get(0).asInt(), g = bgr.get(i).get(1).asInt(), r = bgr.get(i).get(2).asInt();
            int got = OpenCvHsv.fromRgb(r, g, b);
            String where = "BGR " + b + "," + g + "," + r;
            assertEquals(hsv.get(i).get(0).asInt(), OpenCvHsv.hue(got), where);
            assertEquals(hsv.get(i).get(1).asInt(), OpenCvHsv.saturation(got), where);
            assertEquals(hsv.get(i).get(2).asInt(), OpenCvHsv.value(got), where);
        }
    }

    @Test
    void histScoresMatchTheOfficialKit() throws Exception {
        JsonNode expected = MetricFixtures.json("hist.json");
        List<HistScore.Histograms> refs = new ArrayList<>();
        for (String name : MetricFixtures.names("ref")) {
            refs.add(HistScore.Histograms.of(ImageFiles.read(MetricFixtures.image(name))));
        }
        List<String> gens = MetricFixtures.names("gen");
        List<HistScore.Histograms> gen = new ArrayList<>();
        for (String name : gens) gen.add(HistScore.Histograms.of(ImageFiles.read(MetricFixtures.image(name))));

        HistScore all = HistScore.compute(refs, gen);
        assertExactMean(expected.get("ref_rgb_hist_mean"), all.referenceRgbMean());
        assertExactMean(expected.get("ref_hsv_hist_mean"), all.referenceHsvMean());
        for (int i = 0; i < gens.size(); i++) {
            JsonNode e = expected.get("per_image").get(gens.get(i));
            assertEquals(e.get("rgb_correl").asDouble(), all.rgbCorrelations().get(i), 1e-9, gens.get(i) + " rgb");
            assertEquals(e.get("hsv_correl").asDouble(), all.hsvCorrelations().get(i), 1e-9, gens.get(i) + " hsv");
        }
        List<HistScore.Histograms> gen01 = gen.subList(0, 10);
        assertEquals(expected.get("hist_score_gen01_vs_ref00").asDouble(), HistScore.compute(refs, gen01).score(), 1e-9);
    }

    private static void assertExactMean(JsonNode expected, float[] got) {
        assertEquals(expected.size(), got.length);
        for (int i = 0; i < got.length; i++) assertEquals((float) expected.get(i).asDouble(), got[i], 0f, "bin " + i);
    }
}

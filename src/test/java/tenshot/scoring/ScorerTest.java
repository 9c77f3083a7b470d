package tenshot.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerTest {

    private static ScoredStyle gen01VsRef00() {
        List<Path> refs = new ArrayList<>();
        for (String n : MetricFixtures.names("ref")) refs.add(MetricFixtures.image(n));
        List<Path> gens = new ArrayList<>();
        for (String n : MetricFixtures.names("gen")) if (n.startsWith("gen/")) gens.add(MetricFixtures.image(n));
        return new ScoredStyle("00", refs, gens);
    }

    @Test
    void withoutModelsOnlyHistIsComputedAndTheCardSaysWhy() throws Exception {
        ScoredStyle style = gen01VsRef00();
        Scorecard card = new Scorer(ScoringModels.none("model not installed"), ScoringMode.OFFICIAL).score(List.of(style));

        double expected = MetricFixtures.json("hist.json").get("hist_score_gen01_vs_ref00").asDouble();
        assertEquals(expected, card.values().get(Metric.HIST), 1e-9);
        assertEquals(expected, card.styles().get(0).values().get(Metric.HIST), 1e-9);
        assertEquals(10, card.styles().get(0).images().size());
        for (Metric m : Metric.values()) {
            assertEquals(m == Metric.HIST, card.status(m).computed(), m.key());
            if (m != Metric.HIST) assertEquals("model not installed", card.status(m).reason());
        }
        assertNull(card.finalScore());
        assertTrue(card.finalNote().contains("DINO"), card.finalNote());

        JsonNode json = new ObjectMapper().readTree(ScorecardExport.toJson(card));
        assertEquals("official", json.get("mode").asText());
        assertTrue(json.get("final").isNull());
        JsonNode hist = json.get("metrics").get(Metric.HIST.ordinal());
        assertEquals(0.4, hist.get("weight").asDouble());
        assertEquals(expected, hist.get("value").asDouble(), 1e-9);
        assertEquals("model not installed", json.get("metrics").get(Metric.DINO.ordinal()).get("reason").asText());

        String[] csv = ScorecardExport.toCsv(card).split("\n");
        assertEquals("mode,level,style,image,prompt,dino,hist,lpips,clip_r,fid,clip_iqa,final", csv[0]);
        assertEquals(1 + 10 + 1 + 1, csv.length);
        assertTrue(csv[1].startsWith("official,image,00,ball.png,ball,,"), csv[1]);
    }

    @Test
    void correctedModeIsLabelledAndDiffersFromTheOfficialHist() throws Exception {
        ScoredStyle style = gen01VsRef00();
        Scorecard official = new Scorer(ScoringModels.none("none"), ScoringMode.OFFICIAL).score(List.of(style));
        Scorecard corrected = new Scorer(ScoringModels.none("none"), ScoringMode.CORRECTED).score(List.of(style));
        assertEquals(ScoringMode.CORRECTED, corrected.mode());
        assertFalse(Math.abs(official.values().get(Metric.HIST) - corrected.values().get(Metric.HIST)) < 1e-6);
    }

    @Test
    void aSubmissionAveragesHistOverStylesAndHasAStableFingerprint() throws Exception {
        List<Path> gens = gen01VsRef00().generated();
        ScoredStyle a = new ScoredStyle("00", gen01VsRef00().references(), gens.subList(0, 3));
        List<Path> refs02 = new ArrayList<>();
        try (var s = java.nio.file.Files.list(tenshot.testing.Fixtures.dataset("jittor-a/02/images"))) {
            s.sorted().limit(3).forEach(refs02::add);
        }
        ScoredStyle b = new ScoredStyle("02", refs02, gens.subList(3, 5));
        ScoringModels none = ScoringModels.none("none");
        Scorecard both = new Scorer(none, ScoringMode.OFFICIAL).score(List.of(a, b));
        double ha = new Scorer(none, ScoringMode.OFFICIAL).score(List.of(a)).values().get(Metric.HIST);
        double hb = new Scorer(none, ScoringMode.OFFICIAL).score(List.of(b)).values().get(Metric.HIST);
        assertEquals((ha + hb) / 2, both.values().get(Metric.HIST), 1e-12);
        assertEquals(2, both.styles().size());
        assertEquals(2, both.styles().get(1).images().size());

        String f1 = ScoreFingerprint.of(List.of(a, b), ScoringMode.OFFICIAL, none);
        assertEquals(f1, ScoreFingerprint.of(List.of(a, b), ScoringMode.OFFICIAL, none));
        assertFalse(f1.equals(ScoreFingerprint.of(List.of(a, b), ScoringMode.CORRECTED, none)));
        assertFalse(f1.equals(ScoreFingerprint.of(List.of(a), ScoringMode.OFFICIAL, none)));
    }

    @Test
    void finalScoreFollowsTheOfficialFormula() {
        var values = new java.util.EnumMap<Metric, Double>(Metric.class);
        values.put(Metric.DINO, 0.5);
        values.put(Metric.HIST, 0.25);
        values.put(Metric.LPIPS, 0.6);
        values.put(Metric.CLIP_R, 0.8);
        values.put(Metric.FID, 25.0);
        values.put(Metric.CLIP_IQA, 0.7);
        List<MetricStatus> statuses = new ArrayList<>();
        for (Metric m : Metric.values()) statuses.add(MetricStatus.computed(m));
        Scorecard card = Scorecard.assemble(ScoringMode.OFFICIAL, statuses, values, List.of());
        double style = 0.2 * 0.5 + 0.4 * 0.25 + 0.4 * (1 - 0.6);
        double content = 0.5 * 0.8 + 0.4 * 0 + 0.1 * 0.7;
        assertEquals(style * content, card.finalScore(), 1e-12);
        values.put(Metric.FID, 5.0);
        card = Scorecard.assemble(ScoringMode.OFFICIAL, statuses, values, List.of());
        assertEquals(style * (0.5 * 0.8 + 0.4 * 15 / 20 + 0.1 * 0.7), card.finalScore(), 1e-12);
    }
}

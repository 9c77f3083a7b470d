package tenshot.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.testing.Fixtures;

/** The fixture models laid out as a models directory: every metric is computed and matches the kit. */
class ModelDirectoryTest {

    @TempDir
    Path models;

    @Test
    void everyMetricIsComputedFromAModelsDirectory() throws Exception {
        Fixtures.metricModels(models);

        List<Path> refs = new ArrayList<>();
        for (String n : MetricFixtures.names("ref")) refs.add(MetricFixtures.image(n));
        List<Path> gens = new ArrayList<>();
        for (String n : MetricFixtures.names("gen")) if (n.startsWith("gen/")) gens.add(MetricFixtures.image(n));

        Scorecard card;
        try (ScoringModels loaded = ModelDirectory.load(models, EngineDevice.cpu())) {
            for (Metric m : Metric.values()) assertTrue(loaded.available(m), m + ": " + loaded.status(m).reason());
            card = new Scorer(loaded, ScoringMode.OFFICIAL).score(List.of(new ScoredStyle("00", refs, gens)));
        }
        assertEquals(MetricFixtures.json("hist.json").get("hist_score_gen01_vs_ref00").asDouble(), card.values().get(Metric.HIST), 1e-9);
        assertEquals(MetricFixtures.json("dino.json").get("dino_score_gen01_vs_ref00").asDouble(), card.values().get(Metric.DINO), 1e-5);
        assertEquals(MetricFixtures.json("lpips.json").get("lpips_gen01_vs_ref00").asDouble(), card.values().get(Metric.LPIPS), 1e-5);
        double fid = MetricFixtures.json("fid.json").get("fid_gen01_vs_ref00").get("tf1x").asDouble();
        assertEquals(fid, card.values().get(Metric.FID), 1e-3 * fid);
        assertEquals(MetricFixtures.json("clip_iqa.json").get("clip_iqa_gen01").asDouble(), card.values().get(Metric.CLIP_IQA), 1e-5);
        assertEquals(MetricFixtures.json("clip_r.json").get("clip_r_gen01").asDouble(), card.values().get(Metric.CLIP_R), 1e-12);
        assertNotNull(card.finalScore(), card.finalNote());
        double style = 0.2 * card.values().get(Metric.DINO) + 0.4 * card.values().get(Metric.HIST)
                + 0.4 * (1 - card.values().get(Metric.LPIPS));
        double content = 0.5 * card.values().get(Metric.CLIP_R) + 0.4 * (20 - Math.min(card.values().get(Metric.FID), 20)) / 20
                + 0.1 * card.values().get(Metric.CLIP_IQA);
        assertEquals(style * content, card.finalScore(), 1e-12);
        assertEquals(5, card.styles().get(0).images().get(0).clipTop5().size());
    }

    @Test
    void aMissingModelDisablesOnlyItsMetric() {
        ScoringModels loaded = ModelDirectory.load(models.resolve("absent"), EngineDevice.cpu());
        assertTrue(loaded.available(Metric.HIST));
        assertTrue(loaded.status(Metric.DINO).reason().startsWith("model not installed"), loaded.status(Metric.DINO).reason());
    }

    @Test
    void theSignatureChangesWhenAnInstalledFileChanges(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve(ModelDirectory.DINO));
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve(ModelDirectory.DINO).resolve("config.json"), "{}");
        String before = ModelDirectory.signature(dir);
        org.junit.jupiter.api.Assertions.assertEquals(before, ModelDirectory.signature(dir));
        java.nio.file.Files.writeString(config, "{\"hidden_size\": 8}");
        org.junit.jupiter.api.Assertions.assertNotEquals(before, ModelDirectory.signature(dir), "a changed file is a new signature");
        java.nio.file.Files.writeString(dir.resolve(ModelDirectory.CLIP_R_CANDIDATES), "cat\n");
        org.junit.jupiter.api.Assertions.assertNotEquals(before, ModelDirectory.signature(dir), "an added file is a new signature");
    }
}

package tenshot.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.testing.Fixtures;

/** Batching images through the metric networks changes nothing: every value as with one image at a time. */
class BatchedScoringTest {

    @TempDir
    Path models;

    @Test
    void batchedScorecardEqualsOneImageAtATime() throws Exception {
        Fixtures.metricModels(models);
        List<Path> refs = new ArrayList<>();
        for (String n : MetricFixtures.names("ref")) refs.add(MetricFixtures.image(n));
        // every generated image of the fixtures, the synthetic ones of other sizes too (CLIP-IQA batches by size)
        List<Path> gens = new ArrayList<>();
        for (String n : MetricFixtures.names("gen")) gens.add(MetricFixtures.image(n));
        List<ScoredStyle> styles = List.of(new ScoredStyle("00", refs, gens));

        Scorecard single;
        Scorecard batched;
        try (ScoringModels loaded = ModelDirectory.load(models, EngineDevice.cpu())) {
            single = new Scorer(loaded, ScoringMode.OFFICIAL, 1).score(styles);
            batched = new Scorer(loaded, ScoringMode.OFFICIAL, 3).score(styles);
        }
        assertNotNull(batched.finalScore(), batched.finalNote());
        for (Metric m : Metric.values()) {
            assertEquals(single.values().get(m), batched.values().get(m), 1e-5 * Math.max(1, Math.abs(single.values().get(m))), m.key());
        }
        List<ImageScore> a = single.styles().get(0).images();
        List<ImageScore> b = batched.styles().get(0).images();
        for (int i = 0; i < a.size(); i++) {
            for (Metric m : a.get(i).values().keySet()) {
                assertEquals(a.get(i).values().get(m), b.get(i).values().get(m), 1e-5, a.get(i).image() + " " + m.key());
            }
            assertEquals(a.get(i).clipTop5(), b.get(i).clipTop5(), a.get(i).image());
        }
    }
}

package tenshot.studio.scores;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tenshot.scoring.ModelDirectory;
import tenshot.testing.Fixtures;

/**
 * The studio with the tiny fixture models of every metric (../shared/fixtures/metrics) as its scoring
 * models directory, linked in the layout {@link ModelDirectory} reads. Tests skip themselves when the
 * fixtures are absent (the directory is then empty and every model metric says "model not installed").
 */
public class FixtureMetricsProfile implements QuarkusTestProfile {

    static final Path DIR = Path.of("target", "fixture-metric-models").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Files.createDirectories(DIR);
            Path metrics = Fixtures.sharedRoot().resolve("fixtures/metrics");
            for (String m : List.of(ModelDirectory.DINO, ModelDirectory.CLIP, ModelDirectory.LPIPS, ModelDirectory.FID,
                    ModelDirectory.CLIP_IQA)) {
                link(DIR.resolve(m), metrics.resolve(m));
            }
            link(DIR.resolve(ModelDirectory.CLIP_R_CANDIDATES), Fixtures.sharedRoot().resolve("datasets/clip_r_candidates.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("tenshot.scoring.models-dir", DIR.toString());
    }

    private static void link(Path link, Path target) throws IOException {
        if (!Files.exists(target)) return;
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }
}

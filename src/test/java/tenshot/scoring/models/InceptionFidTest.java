package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.TensorFixture;
import tenshot.scoring.fid.FrechetDistance;
import tenshot.scoring.fid.GaussianStats;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;
import tenshot.testing.Fixtures;

class InceptionFidTest {

    private static InceptionFid fromPth;

    @BeforeAll
    static void load() throws Exception {
        // the .pth twin, so the restricted reader is exercised end to end
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fid");
        java.nio.file.Files.copy(Fixtures.metrics("inception-fid/weights.pth"), dir.resolve("weights.pth"));
        fromPth = InceptionFid.load(dir, EngineDevice.cpu());
    }

    @AfterAll
    static void close() {
        if (fromPth != null) fromPth.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tf1x", "antialias"})
    void featuresAndFidMatchTorchFidelity(String rule) throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("fid_" + rule + ".safetensors"));
        boolean antialias = rule.equals("antialias");
        List<double[]> ref = features(MetricFixtures.names("ref"), antialias, t, "features_ref");
        List<String> gens = MetricFixtures.names("gen").stream().filter(n -> n.startsWith("gen/")).toList();
        List<double[]> gen = features(gens, antialias, t, "features_gen");
        double expected = MetricFixtures.json("fid.json").get("fid_gen01_vs_ref00").get(rule).asDouble();
        assertEquals(expected, FrechetDistance.between(GaussianStats.of(ref), GaussianStats.of(gen)), 1e-3 * expected);
    }

    private static List<double[]> features(List<String> names, boolean antialias, TensorFixture t, String key)
            throws Exception {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            RgbImage image = ImageFiles.read(MetricFixtures.image(names.get(i)));
            double[] f = fromPth.features(image, antialias);
            double[] expected = t.row(key, i);
            for (int j = 0; j < f.length; j++) assertEquals(expected[j], f[j], 1e-4, names.get(i) + " feature " + j);
            out.add(f);
        }
        return out;
    }
}

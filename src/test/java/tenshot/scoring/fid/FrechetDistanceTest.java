package tenshot.scoring.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.TensorFixture;
import tenshot.testing.Fixtures;

class FrechetDistanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"tf1x", "antialias"})
    void fidOfTheReferenceFeaturesMatchesTorchmetrics(String resize) throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("fid_" + resize + ".safetensors"));
        double expected = MetricFixtures.json("fid.json").get("fid_gen01_vs_ref00").get(resize).asDouble();
        double fid = FrechetDistance.between(GaussianStats.of(rows(t, "features_ref")), GaussianStats.of(rows(t, "features_gen")));
        assertEquals(expected, fid, 1e-6 * expected, resize);
    }

    private static List<double[]> rows(TensorFixture t, String name) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < t.shape(name)[0]; i++) out.add(t.row(name, i));
        return out;
    }
}

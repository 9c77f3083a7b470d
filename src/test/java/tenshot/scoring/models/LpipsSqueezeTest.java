package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.TensorFixture;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;
import tenshot.testing.Fixtures;

class LpipsSqueezeTest {

    private static LpipsSqueeze fromPth;

    @BeforeAll
    static void load() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("lpips");
        java.nio.file.Files.copy(Fixtures.metrics("lpips-squeeze/weights.pth"), dir.resolve("weights.pth"));
        fromPth = LpipsSqueeze.load(dir, EngineDevice.cpu());
    }

    @AfterAll
    static void close() {
        if (fromPth != null) fromPth.close();
    }

    @Test
    void allPairsMatchTorchmetrics() throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("lpips.safetensors"));
        float[] pairs = t.floats("lpips_all_pairs_gen01_ref00");
        List<RgbImage> refs = new ArrayList<>();
        for (String n : MetricFixtures.names("ref")) refs.add(ImageFiles.read(MetricFixtures.image(n)));
        List<RgbImage> gens = new ArrayList<>();
        for (String n : MetricFixtures.names("gen")) if (n.startsWith("gen/")) gens.add(ImageFiles.read(MetricFixtures.image(n)));
        double[][] d = fromPth.distances(gens, refs);
        double sum = 0;
        for (int i = 0; i < gens.size(); i++) {
            for (int j = 0; j < refs.size(); j++) {
                assertEquals(pairs[i * refs.size() + j], d[i][j], 1e-4, "pair gen " + i + " ref " + j);
                sum += d[i][j];
            }
        }
        assertEquals(MetricFixtures.json("lpips.json").get("lpips_gen01_vs_ref00").asDouble(), sum / pairs.length, 1e-5);
        double[][] synthetic = fromPth.distances(List.of(ImageFiles.read(MetricFixtures.image("synthetic/Flat.png"))),
                List.of(refs.get(0)));
        assertEquals(t.floats("lpips_gen0_ref0_and_syn0_ref0")[1], synthetic[0][0], 1e-4);
    }
}

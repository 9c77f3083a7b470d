package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.image.PilResize;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;
import tenshot.scoring.image.TorchInterpolate;
import tenshot.testing.Fixtures;

/** The CLIP image tower as a style descriptor: the scoring path's embedding, with preprocessing on the device. */
class ClipImageTowerTest {

    private static ClipRetrieval scoring;
    private static ClipImageTower tower;

    @BeforeAll
    static void load() throws Exception {
        scoring = ClipRetrieval.load(Fixtures.metrics("clip-vit-l14"), EngineDevice.cpu());
        tower = ClipImageTower.load(Fixtures.metrics("clip-vit-l14"), EngineDevice.cpu());
    }

    @AfterAll
    static void close() {
        if (scoring != null) scoring.close();
        if (tower != null) tower.close();
    }

    @Test
    void describesAnImageOfCropSizeAsScoringEmbedsIt() throws Exception {
        RgbImage image = ImageFiles.read(MetricFixtures.image(MetricFixtures.names("gen").get(0)))
                .resized(224, 224, PilResize.Filter.BICUBIC, true);
        float[] expected = scoring.imageEmbedding(image);
        float[] planes = new float[3 * 224 * 224];
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                for (int c = 0; c < 3; c++) planes[c * 224 * 224 + y * 224 + x] = image.get(x, y, c) / 255f;
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = tower.describe(m.create(planes, new Shape(1, 3, 224, 224))).toFloatArray();
            assertClose(expected, got, 1e-5, "embedding");
        }
    }

    @Test
    void resizesOnTheDeviceWithTorchsAntialiasedBicubic() {
        int w = 300;
        int h = 410;
        float[] chw = new float[3 * h * w];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < chw.length; i++) chw[i] = random.nextFloat();
        // short side 300 -> 224, long side int(224 * 410 / 300) = 306
        float[] resized = TorchInterpolate.bicubic(chw, 3, h, w, 306, 224, true);
        for (int i = 0; i < resized.length; i++) resized[i] = Math.min(1f, Math.max(0f, resized[i]));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] expected = tower.describe(m.create(resized, new Shape(1, 3, 306, 224))).toFloatArray();
            NDArray got = tower.describe(m.create(chw, new Shape(1, 3, h, w)));
            assertClose(expected, got.toFloatArray(), 1e-5, "embedding after the device resize");
        }
    }

    private static void assertClose(float[] expected, float[] got, double tolerance, String what) {
        assertEquals(expected.length, got.length, what + " length");
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], tolerance, what + " [" + i + "]");
    }
}

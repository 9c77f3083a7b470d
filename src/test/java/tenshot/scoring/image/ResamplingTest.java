package tenshot.scoring.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tenshot.diffusion.image.PilResize;
import tenshot.scoring.MetricFixtures;
import tenshot.scoring.TensorFixture;
import tenshot.testing.Fixtures;

class ResamplingTest {

    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    @Test
    void dinoPreprocessingMatchesTheImageProcessor() throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("dino.safetensors"));
        float[] expected = t.floats("pixel_values");
        JsonNode names = MetricFixtures.json("dino.json").get("sample_images");
        int plane = 3 * 224 * 224;
        for (int i = 0; i < names.size(); i++) {
            RgbImage image = ImageFiles.read(MetricFixtures.image(names.get(i).asText()));
            int[] size = Crops.shortestEdge(image.width(), image.height(), 256);
            RgbImage prepared = Crops.center(image.resized(size[0], size[1], PilResize.Filter.BICUBIC), 224, 224);
            float[] got = TensorImages.normalized(prepared, 1 / 255.0, IMAGENET_MEAN, IMAGENET_STD);
            assertClose(Arrays.copyOfRange(expected, i * plane, (i + 1) * plane), got, 1e-5, names.get(i).asText());
        }
    }

    @Test
    void lpipsInputsArePilBilinear256() throws Exception {
        TensorFixture t = TensorFixture.read(Fixtures.metrics("lpips.safetensors"));
        float[] expected = t.floats("images_256");
        JsonNode names = MetricFixtures.json("lpips.json").get("images_256_sources");
        int plane = 3 * 256 * 256;
        for (int i = 0; i < names.size(); i++) {
            RgbImage image = ImageFiles.read(MetricFixtures.image(names.get(i).asText()));
            float[] got = TensorImages.chw(image.resized(256, 256, PilResize.Filter.BILINEAR), 2f / 255f, -1f);
            assertClose(Arrays.copyOfRange(expected, i * plane, (i + 1) * plane), got, 1e-5, names.get(i).asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tf1x", "antialias"})
    void fidResizeTo299MatchesTorchFidelity(String rule) throws Exception {
        float[] expected = TensorFixture.read(Fixtures.metrics("fid_" + rule + ".safetensors")).floats("resized_299_ref0");
        RgbImage image = ImageFiles.read(MetricFixtures.image(MetricFixtures.names("ref").get(0)));
        float[] chw = TensorImages.chw(image, 1f, 0f);
        float[] got = rule.equals("tf1x")
                ? TfBilinear.tf1x(chw, 3, image.height(), image.width(), 299, 299)
                : TfBilinear.antialiased(chw, 3, image.height(), image.width(), 299, 299);
        assertClose(expected, got, 1e-3, rule);
    }

    @Test
    void upsizingAndCroppingKeepPillowGeometry() {
        byte[] px = new byte[4 * 2 * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 10);
        RgbImage small = new RgbImage(4, 2, px);
        RgbImage big = small.resized(8, 4, PilResize.Filter.BICUBIC);
        assertEquals(8, big.width());
        assertEquals(4, big.height());
        RgbImage crop = Crops.center(small, 2, 2);
        assertArrayEquals(Arrays.copyOfRange(px, 3, 9), Arrays.copyOfRange(crop.rgb(), 0, 6));
        assertArrayEquals(new int[] {256, 341}, Crops.shortestEdge(600, 800, 256));
    }

    static void assertClose(float[] expected, float[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(expected[i] - got[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " at " + at + " (expected " + (at >= 0 ? expected[at] : 0)
                + ", got " + (at >= 0 ? got[at] : 0) + ")");
    }
}

package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepDrawsTest {

    @Test
    void drawsDependOnlyOnSeedAndStep() {
        StepDraws a = new StepDraws(42, 20, 2, 35, 1000);
        StepDraws b = new StepDraws(42, 20, 2, 35, 1000);
        for (long step : new long[] {0, 1, 17, 999}) {
            StepDraws.Draw x = a.draw(step);
            StepDraws.Draw y = b.draw(step);
            assertEquals(x.instanceView(), y.instanceView());
            assertEquals(x.classImage(), y.classImage());
            assertArrayEquals(x.timesteps(), y.timesteps());
            assertArrayEquals(x.noiseSeeds(), y.noiseSeeds());
            assertArrayEquals(x.latentSeeds(), y.latentSeeds());
        }
        assertNotEquals(a.draw(3).noiseSeeds()[0], new StepDraws(43, 20, 2, 35, 1000).draw(3).noiseSeeds()[0]);
    }

    @Test
    void everyImageIsVisitedOncePerEpochAndTimestepsSpanTheRange() {
        StepDraws draws = new StepDraws(7, 30, 3, 4, 1000);
        for (int epoch = 0; epoch < 3; epoch++) {
            Set<Integer> images = new HashSet<>();
            Set<Integer> classes = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                StepDraws.Draw d = draws.draw(epoch * 10L + i);
                images.add(d.instanceView() / 3);
                if (i < 4) classes.add(draws.draw(epoch * 4L + i).classImage());
                assertEquals(2, d.timesteps().length);
                assertNotEquals(d.noiseSeeds()[0], d.noiseSeeds()[1]);
            }
            assertEquals(10, images.size(), "epoch " + epoch + " must show all 10 images");
            assertEquals(4, classes.size(), "class epoch " + epoch + " must show all 4 class images");
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long s = 0; s < 4000; s++) {
            long t = draws.draw(s).timesteps()[1];
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        assertTrue(min < 5 && max > 994 && max < 1000, "timesteps " + min + ".." + max);
        assertEquals(1, new StepDraws(7, 5, 1, 0, 1000).draw(0).timesteps().length, "no prior: one row");
    }

    @Test
    void classImagesAreGeneratedOncePerKey(@TempDir Path dir) throws Exception {
        ClassImageCache cache = new ClassImageCache(dir);
        AtomicInteger generated = new AtomicInteger();
        ClassImageCache.Generator generator = key -> {
            generated.incrementAndGet();
            BufferedImage image = new BufferedImage(key.size(), key.size(), BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, (int) key.seed());
            return image;
        };
        ClassImageCache.Key key = new ClassImageCache.Key("tiny-sd21", "an image of Dolphin", 5, 20, 64, 7.5, "ddim");
        assertEquals(5, cache.getOrGenerate(key, generator).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(5, new ClassImageCache(dir).getOrGenerate(key, generator).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(1, generated.get());
        cache.getOrGenerate(new ClassImageCache.Key("tiny-sd21", "an image of Dolphin", 6, 20, 64, 7.5, "ddim"), generator);
        cache.getOrGenerate(new ClassImageCache.Key("other-model", "an image of Dolphin", 5, 20, 64, 7.5, "ddim"), generator);
        assertEquals(3, generated.get());
        assertTrue(java.nio.file.Files.readString(dir.resolve(key.hash() + ".json")).contains("an image of Dolphin"));
    }
}

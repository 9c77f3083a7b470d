package tenshot.cli;

import java.awt.image.BufferedImage;
import java.util.Random;

/** Stand-in images for bench rows: on random weights an image's content does not change the timing. */
final class BenchImages {

    private BenchImages() {}

    /** A seeded RGB noise image of {@code size} x {@code size} pixels. */
    static BufferedImage noise(int size, long seed) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) image.setRGB(x, y, random.nextInt(1 << 24));
        return image;
    }
}

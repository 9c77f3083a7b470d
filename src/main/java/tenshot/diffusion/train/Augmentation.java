package tenshot.diffusion.train;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import tenshot.diffusion.image.PilResize;

/**
 * Turns an upright RGB image into one training view: the short side resized to {@code resizeFactor}
 * times the training resolution (antialiased bilinear, as torchvision resizes PIL images), an optional
 * random rotation and horizontal flip, then a random square crop at the resolution. Pixels come out as
 * CHW floats in [-1, 1], the range the VAE encodes.
 *
 * @param resolution side of the square crop, a multiple of 8
 * @param resizeFactor how much larger than the crop the short side is resized to (1.04 by default)
 * @param flip flip horizontally with probability 1/2
 * @param maxRotationDegrees rotate by a uniform angle in [-max, max] (0 = off); corners repeat the edge
 */
public record Augmentation(int resolution, double resizeFactor, boolean flip, double maxRotationDegrees) {

    public static final double DEFAULT_RESIZE_FACTOR = 1.04;

    public Augmentation {
        if (resolution < 8 || resolution % 8 != 0) {
            throw new IllegalArgumentException("resolution must be a positive multiple of 8: " + resolution);
        }
        if (!(resizeFactor >= 1.0)) throw new IllegalArgumentException("resize factor must be >= 1: " + resizeFactor);
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
            throw new IllegalArgumentException("max rotation must be in [0, 180] degrees: " + maxRotationDegrees);
        }
    }

    /** Resize and random crop only. */
    public static Augmentation cropOnly(int resolution) {
        return new Augmentation(resolution, DEFAULT_RESIZE_FACTOR, false, 0);
    }

    /** The side the short edge is resized to before cropping. */
    public int resizedShortSide() {
        return Math.max(resolution, (int) Math.round(resolution * resizeFactor));
    }

    /** One view of {@code image}, drawn with {@code random}; a {@code [3, resolution, resolution]} array. */
    public float[] apply(BufferedImage image, SplittableRandom random) {
        int w = image.getWidth();
        int h = image.getHeight();
        int shortSide = resizedShortSide();
        int outW = w <= h ? shortSide : (int) ((long) shortSide * w / h);
        int outH = w <= h ? (int) ((long) shortSide * h / w) : shortSide;
        float[] planes = PilResize.resizePlanes(Resampling.toPlanes(image), 3, w, h, outW, outH, PilResize.Filter.BILINEAR);
        double angle = maxRotationDegrees > 0 ? (random.nextDouble() * 2 - 1) * maxRotationDegrees : 0;
        boolean mirror = flip && random.nextBoolean();
        int left = random.nextInt(outW - resolution + 1);
        int top = random.nextInt(outH - resolution + 1);
        if (angle != 0) planes = Resampling.rotate(planes, outW, outH, Math.toRadians(angle));
        float[] out = new float[3 * resolution * resolution];
        int plane = resolution * resolution;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < resolution; y++) {
                for (int x = 0; x < resolution; x++) {
                    int sx = left + (mirror ? resolution - 1 - x : x);
                    float v = planes[c * outW * outH + (top + y) * outW + sx];
                    out[c * plane + y * resolution + x] = v * 2f - 1f;
                }
            }
        }
        return out;
    }
}

package tenshot.diffusion.styleid;

import java.awt.image.BufferedImage;
import java.util.List;
import tenshot.diffusion.pipeline.Images;

/**
 * Which style image gives StyleID's keys and values for each prompt, as {@link StyleInjection#styleImage()}
 * says: {@code each} takes the style images in turn (prompt i gets image i mod n), {@code nearest-average}
 * takes for every prompt the one image nearest the set's average.
 */
public final class StyleImageChoice {

    private final List<BufferedImage> images;
    private final int nearest;

    private StyleImageChoice(List<BufferedImage> images, int nearest) {
        this.images = List.copyOf(images);
        this.nearest = nearest;
    }

    /** The choice for a style set's images (in the set's order), compared at {@code size x size} pixels. */
    public static StyleImageChoice of(String mode, List<BufferedImage> images, int size) {
        if (images.isEmpty()) throw new IllegalArgumentException("StyleID needs at least one style image");
        return switch (mode) {
            case "each" -> new StyleImageChoice(images, -1);
            case "nearest-average" -> new StyleImageChoice(images, nearestAverage(images, size, size));
            default -> throw new IllegalArgumentException("styleInjection field 'styleImage' must be one of "
                    + StyleInjection.STYLE_IMAGES + ", was " + mode);
        };
    }

    /** The style image for the prompt at {@code promptIndex} (in the style set's prompt order). */
    public BufferedImage forPrompt(int promptIndex) {
        return image(indexFor(promptIndex));
    }

    /** The index (in the style set's order) of the style image for the prompt at {@code promptIndex}. */
    public int indexFor(int promptIndex) {
        return nearest >= 0 ? nearest : Math.floorMod(promptIndex, images.size());
    }

    /** The style image at {@code index} in the style set's order. */
    public BufferedImage image(int index) {
        return images.get(index);
    }

    /**
     * The index of the image whose pixels, each image resized to {@code width x height}, are nearest (sum of
     * squared differences over RGB in [0, 1]) the unrounded pixel mean of all of them; the first of equals.
     */
    public static int nearestAverage(List<BufferedImage> images, int width, int height) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images to choose from");
        float[][] planes = new float[images.size()][];
        for (int i = 0; i < planes.length; i++) planes[i] = Images.planes(Images.resize(images.get(i), width, height));
        double[] mean = new double[planes[0].length];
        for (float[] p : planes) for (int k = 0; k < mean.length; k++) mean[k] += p[k];
        for (int k = 0; k < mean.length; k++) mean[k] /= planes.length;
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < planes.length; i++) {
            double distance = 0;
            for (int k = 0; k < mean.length; k++) {
                double d = planes[i][k] - mean[k];
                distance += d * d;
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }
}

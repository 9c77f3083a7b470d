package tenshot.scoring;

import tenshot.scoring.image.RgbImage;

/** CLIP-IQA's probability that an image is a "Good photo." rather than a "Bad photo.". */
public interface ClipIqaModel {
    /** @param officialPixelRange true: pixels 0..255 with data range 1, as the kit feeds them; false: 0..1 */
    double quality(RgbImage image, boolean officialPixelRange);

    /** The qualities of several images, up to {@code batch} images of equal size at a time through the network. */
    default double[] qualityAll(java.util.List<RgbImage> images, boolean officialPixelRange, int batch) {
        return images.stream().mapToDouble(i -> quality(i, officialPixelRange)).toArray();
    }
}

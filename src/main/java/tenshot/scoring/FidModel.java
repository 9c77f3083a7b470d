package tenshot.scoring;

import tenshot.scoring.image.RgbImage;

/** The FID feature vector of an image at native size; the model resizes to its input size itself. */
public interface FidModel {
    /** @param antialias false: the TF-1.x-compatible bilinear of the 2024 kit; true: antialiased bilinear */
    double[] features(RgbImage image, boolean antialias);

    /** The features of several images, up to {@code batch} at a time through the network. */
    default java.util.List<double[]> featuresAll(java.util.List<RgbImage> images, boolean antialias, int batch) {
        return images.stream().map(i -> features(i, antialias)).toList();
    }
}

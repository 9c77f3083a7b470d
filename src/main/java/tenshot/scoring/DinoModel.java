package tenshot.scoring;

import tenshot.scoring.image.RgbImage;

/** DINOv2's pooler output (the layer-normed CLS token) of an image, after the model's own preprocessing. */
public interface DinoModel {
    float[] embed(RgbImage image);

    /** The embeddings of several images, up to {@code batch} at a time through the network. */
    default java.util.List<float[]> embedAll(java.util.List<RgbImage> images, int batch) {
        return images.stream().map(this::embed).toList();
    }
}

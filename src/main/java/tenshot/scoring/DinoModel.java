package tenshot.scoring;

import tenshot.scoring.image.RgbImage;

/** DINOv2's pooler output (the layer-normed CLS token) of an image, after the model's own preprocessing. */
public interface DinoModel {
    float[] embed(RgbImage image);
}

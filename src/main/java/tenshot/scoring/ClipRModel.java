package tenshot.scoring;

import java.util.List;
import tenshot.scoring.image.RgbImage;

/** CLIP retrieval: the {@code k} candidate texts with the highest image-text logits, best first. */
public interface ClipRModel {
    List<String> topK(RgbImage image, List<String> candidates, int k);
}

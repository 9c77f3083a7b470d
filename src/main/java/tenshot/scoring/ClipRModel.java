package tenshot.scoring;

import java.util.List;
import tenshot.scoring.image.RgbImage;

/** CLIP retrieval: the {@code k} candidate texts with the highest image-text logits, best first. */
public interface ClipRModel {
    List<String> topK(RgbImage image, List<String> candidates, int k);

    /** {@link #topK} of several images, each with its own candidates, up to {@code batch} images at a time. */
    default List<List<String>> topKAll(List<RgbImage> images, List<List<String>> candidates, int k, int batch) {
        List<List<String>> out = new java.util.ArrayList<>();
        for (int i = 0; i < images.size(); i++) out.add(topK(images.get(i), candidates.get(i), k));
        return out;
    }
}

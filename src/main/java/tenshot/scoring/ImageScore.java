package tenshot.scoring;

import java.util.List;
import java.util.Map;

/**
 * One generated image's scores. {@code values} holds the image's share of each computed metric: DINO =
 * mean cosine to the style's references, hist = (RGB + HSV correlation)/2, LPIPS = mean distance to the
 * references, CLIP-IQA = quality, CLIP-R = 1 when its prompt is in the top 5 else 0. FID has no
 * per-image value. {@code details} holds the parts (e.g. {@code hist_rgb}, {@code hist_hsv}).
 */
public record ImageScore(String image, String prompt, Map<Metric, Double> values, Map<String, Double> details,
        List<String> clipTop5) {

    public ImageScore {
        values = Map.copyOf(values);
        details = Map.copyOf(details);
        clipTop5 = clipTop5 == null ? List.of() : List.copyOf(clipTop5);
    }
}

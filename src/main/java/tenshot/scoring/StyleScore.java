package tenshot.scoring;

import java.util.List;
import java.util.Map;

/**
 * One style's scores: the mean of its images' values (LPIPS: the mean over all generated × reference
 * pairs; FID: this style's own FID, shown for information, the official FID is pooled over styles).
 */
public record StyleScore(String style, int references, int generated, Map<Metric, Double> values,
        List<ImageScore> images) {

    public StyleScore {
        values = Map.copyOf(values);
        images = List.copyOf(images);
    }
}

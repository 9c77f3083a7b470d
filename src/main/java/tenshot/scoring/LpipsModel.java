package tenshot.scoring;

import java.util.List;
import tenshot.scoring.image.RgbImage;

/** LPIPS distances of every (a, b) pair: {@code result[i][j] = LPIPS(a_i, b_j)}, preprocessing included. */
public interface LpipsModel {
    double[][] distances(List<RgbImage> a, List<RgbImage> b);

    /** Same, with up to {@code batch} images at a time through the network. */
    default double[][] distances(List<RgbImage> a, List<RgbImage> b, int batch) {
        return distances(a, b);
    }
}

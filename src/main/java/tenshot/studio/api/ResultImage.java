package tenshot.studio.api;

import java.util.ArrayList;
import java.util.List;

/** A generated image of a run as its page shows it: prompt, address and the seed it was generated from. */
public record ResultImage(String prompt, String url, long seed) {

    /**
     * The run's images with their seeds. GenerateHandler draws the noise of the run's i-th prompt from
     * {@code recipe.seed + i}, and the run lists its images in that same prompt order.
     */
    public static List<ResultImage> of(RunView run) {
        long seed = run.recipe().path("seed").asLong();
        List<RunView.Image> images = run.downloads().images();
        List<ResultImage> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(new ResultImage(images.get(i).prompt(), images.get(i).url(), seed + i));
        }
        return out;
    }
}

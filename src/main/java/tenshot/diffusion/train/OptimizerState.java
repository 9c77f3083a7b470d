package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** What a checkpoint keeps of one style's optimizer: its moments by name and its step count. */
public interface OptimizerState {

    /** The moments as {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} (live views, not copies). */
    Map<String, NDArray> stateTensors();

    /** Optimizer steps taken so far. */
    long stepCount();

    /** Restores the moments and step count written by {@link #stateTensors()} and {@link #stepCount()}. */
    void loadState(Map<String, float[]> tensors, long stepCount);
}

package tenshot.diffusion.weights;

import java.util.Set;

/**
 * A source with no checkpoint behind it: it makes a tensor for any key, in the shape the module asks
 * for, so it has every key, lists none and leaves none unused.
 */
abstract class GeneratedSource implements Weights.TensorSource {

    @Override
    public final boolean has(String key) {
        return true;
    }

    @Override
    public final Set<String> keys() {
        return Set.of();
    }

    @Override
    public final Set<String> unusedKeys() {
        return Set.of();
    }
}

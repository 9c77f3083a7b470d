package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs one piece of a forward pass (a resnet, an attention, a block) in its own {@link NDScope}: every
 * array the piece creates is closed when it returns, except its result, which moves to the enclosing
 * scope (if there is one). A forward then holds one piece's working set at a time instead of all of
 * its activations until the caller's scope closes.
 *
 * <p>Safe in training: closing a DJL handle only drops the Java side's reference; libtorch's autograd
 * graph keeps its own references to the tensors backward needs.
 *
 * <p>The body must return an array it created: an array owned by an outer scope would be handed to the
 * innermost enclosing scope as well and closed when that one closes.
 */
public final class Scoped {

    private Scoped() {}

    public static NDArray run(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }
}

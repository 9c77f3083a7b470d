package tenshot.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Constant tensors shared by all modules on a device (norm identities, promotion helpers), created
 * once and kept for the life of the process in a manager that is never closed.
 */
final class Constants {

    private record Key(String device, DataType type, long length) {}

    private static final Map<String, NDManager> MANAGERS = new ConcurrentHashMap<>();
    private static final Map<Key, NDArray[]> ONES_ZEROS = new ConcurrentHashMap<>();
    private static final Map<Key, NDArray> ZERO_VECTORS = new ConcurrentHashMap<>();

    private Constants() {}

    private static NDManager manager(Device device) {
        return MANAGERS.computeIfAbsent(device.toString(), d -> NDManager.newBaseManager(device));
    }

    /** {@code [ones(length), zeros(length)]} of {@code type} on {@code device}. */
    static NDArray[] onesZeros(Device device, DataType type, long length) {
        return ONES_ZEROS.computeIfAbsent(new Key(device.toString(), type, length), k -> {
            NDManager m = manager(device);
            NDArray ones = m.ones(new ai.djl.ndarray.types.Shape(length), type);
            NDArray zeros = m.zeros(new ai.djl.ndarray.types.Shape(length), type);
            NDScope.unregister(ones, zeros);
            return new NDArray[] {ones, zeros};
        });
    }

    /** A one-element vector {@code [0]} of {@code type}: adding it promotes a tensor, keeping the gradient. */
    static NDArray zeroVector(Device device, DataType type) {
        return ZERO_VECTORS.computeIfAbsent(new Key(device.toString(), type, 1), k -> {
            NDArray zero = manager(device).zeros(new ai.djl.ndarray.types.Shape(1), type);
            NDScope.unregister(zero);
            return zero;
        });
    }
}

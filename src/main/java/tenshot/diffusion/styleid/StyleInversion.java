package tenshot.diffusion.styleid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One style image inverted once for StyleID: its self-attention keys and values per injected layer and
 * timestep, and its inverted latent {@code z_Tˢ} (whose statistics AdaIN gives every content). Any number of
 * contents with the same step count and latent shape transfer with it ({@link StyleId#transfer(NDArray,
 * StyleInversion)}). It holds its tensors in its own manager until closed: close it once no prompt needs it.
 */
public final class StyleInversion implements AutoCloseable {

    private final NDManager store;
    private final DataType storeType;
    private final Map<String, NDArray> keys = new HashMap<>();
    private final Map<String, NDArray> values = new HashMap<>();
    private NDArray latent;
    private int steps;
    private boolean closed;

    StyleInversion(NDManager parent, DataType storeType) {
        this.store = parent.newSubManager();
        this.storeType = storeType;
    }

    void keep(String id, NDArray key, NDArray value) {
        keep(keys, id, key);
        keep(values, id, value);
    }

    private void keep(Map<String, NDArray> into, String id, NDArray array) {
        NDArray copy = array.toType(storeType, true);
        NDScope.unregister(copy);
        copy.attach(store);
        NDArray previous = into.put(id, copy);
        if (previous != null) previous.close();
    }

    NDArray key(String id, DataType type) {
        return recorded(keys, id, "style keys", type);
    }

    NDArray value(String id, DataType type) {
        return recorded(values, id, "style values", type);
    }

    private NDArray recorded(Map<String, NDArray> from, String id, String what, DataType type) {
        if (closed) throw new IllegalStateException("this style inversion was closed");
        NDArray a = from.get(id);
        if (a == null) throw new IllegalStateException("StyleID has no recorded " + what + " for " + id + ": invert before injecting");
        return a.toType(type, false);
    }

    /** Takes the inverted latent of the style ({@code z_Tˢ}, fp32) reached with {@code steps} inversion steps. */
    void finish(NDArray zT, int steps) {
        NDScope.unregister(zT);
        zT.attach(store);
        this.latent = zT;
        this.steps = steps;
    }

    /** The style's inverted latent {@code z_Tˢ}. */
    public NDArray latent() {
        if (closed || latent == null) throw new IllegalStateException("this style inversion is " + (closed ? "closed" : "unfinished"));
        return latent;
    }

    /** The DDIM steps it was inverted with; a transfer must denoise with as many. */
    public int steps() {
        return steps;
    }

    /** The latent shape a content must have to transfer with it. */
    public Shape shape() {
        return latent().getShape();
    }

    /** Bytes held by the recorded keys and values. */
    public long storedBytes() {
        long bytes = 0;
        for (Map<String, NDArray> m : List.of(keys, values)) {
            for (NDArray a : m.values()) bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    /** Frees the keys, values and latent. */
    void clear() {
        for (Map<String, NDArray> m : List.of(keys, values)) {
            m.values().forEach(NDArray::close);
            m.clear();
        }
        if (latent != null) latent.close();
        latent = null;
    }

    @Override
    public void close() {
        if (closed) return;
        clear();
        store.close();
        closed = true;
    }
}

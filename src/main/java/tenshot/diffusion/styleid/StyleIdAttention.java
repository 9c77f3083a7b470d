package tenshot.diffusion.styleid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;
import tenshot.diffusion.nn.Attention;
import tenshot.diffusion.unet.AttentionProcessor;
import tenshot.diffusion.unet.CrossAttention;

/**
 * The attention processor StyleID puts on the injected self-attention layers. It records, per layer
 * and timestep, the content's queries and the style's keys and values (only at the timesteps that
 * inject, stored in {@code storeType}: fp16 on CUDA), and later injects them. Whatever it does, a
 * layer's output while recording is the plain attention's.
 */
public final class StyleIdAttention implements AttentionProcessor {

    private enum Mode { PLAIN, RECORD, INJECT }

    private final NDManager store;
    private final DataType storeType;
    private final double gamma;
    private final double temperature;
    private final Map<String, NDArray> queries = new HashMap<>();
    private final Map<String, NDArray> keys = new HashMap<>();
    private final Map<String, NDArray> values = new HashMap<>();
    private Mode mode = Mode.PLAIN;
    private boolean recordQueries;
    private boolean recordKeysValues;
    private long timestep;

    public StyleIdAttention(NDManager parent, DataType storeType, double gamma, double temperature) {
        this.store = parent.newSubManager();
        this.storeType = storeType;
        this.gamma = gamma;
        this.temperature = temperature;
    }

    /** The next forwards compute plain attention and record nothing. */
    public void plain() {
        mode = Mode.PLAIN;
    }

    /** The next forwards (at {@code timestep}) record queries and/or keys and values. */
    public void record(long timestep, boolean queries, boolean keysValues) {
        this.mode = Mode.RECORD;
        this.timestep = timestep;
        this.recordQueries = queries;
        this.recordKeysValues = keysValues;
    }

    /** The next forwards (at {@code timestep}) inject what was recorded at that timestep. */
    public void inject(long timestep) {
        this.mode = Mode.INJECT;
        this.timestep = timestep;
    }

    /** Bytes held by the recorded tensors. */
    public long storedBytes() {
        long bytes = 0;
        for (Map<String, NDArray> m : java.util.List.of(queries, keys, values)) {
            for (NDArray a : m.values()) bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    @Override
    public NDArray process(CrossAttention layer, NDArray x, NDArray context) {
        if (context != null) return AttentionProcessor.DEFAULT.process(layer, x, context);
        NDArray q = layer.query(x);
        NDArray k = layer.key(x);
        NDArray v = layer.value(x);
        String id = layer.name() + "@" + timestep;
        if (mode == Mode.RECORD) {
            if (recordQueries) keep(queries, id, q);
            if (recordKeysValues) {
                keep(keys, id, k);
                keep(values, id, v);
            }
        } else if (mode == Mode.INJECT) {
            NDArray contentQ = recorded(queries, id, "content queries", x.getDataType());
            NDArray styleK = recorded(keys, id, "style keys", x.getDataType());
            NDArray styleV = recorded(values, id, "style values", x.getDataType());
            NDArray mixedQ = gamma == 1 ? contentQ : contentQ.mul((float) gamma).add(q.mul((float) (1 - gamma)));
            int heads = layer.heads();
            long headDim = q.getShape().get(2) / heads;
            NDArray attended = Attention.scaledDotProduct(Attention.splitHeads(mixedQ, heads), Attention.splitHeads(styleK, heads),
                    Attention.splitHeads(styleV, heads), temperature / Math.sqrt(headDim));
            return layer.output(Attention.mergeHeads(attended));
        }
        return layer.output(Attention.multiHead(q, k, v, layer.heads()));
    }

    private void keep(Map<String, NDArray> into, String id, NDArray array) {
        NDArray copy = array.toType(storeType, true);
        NDScope.unregister(copy);
        copy.attach(store);
        NDArray previous = into.put(id, copy);
        if (previous != null) previous.close();
    }

    private static NDArray recorded(Map<String, NDArray> from, String id, String what, DataType type) {
        NDArray a = from.get(id);
        if (a == null) throw new IllegalStateException("StyleID has no recorded " + what + " for " + id + ": invert before injecting");
        return a.toType(type, false);
    }

    /** Frees every recorded tensor. */
    public void clear() {
        for (Map<String, NDArray> m : java.util.List.of(queries, keys, values)) {
            m.values().forEach(NDArray::close);
            m.clear();
        }
    }

    public void close() {
        clear();
        store.close();
    }
}

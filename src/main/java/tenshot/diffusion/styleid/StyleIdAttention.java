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
 * inject, stored in {@code storeType}: fp16 on CUDA), and later injects them. The style's keys and values
 * go to (and come from) the {@link StyleInversion} in {@link #use use}, by default one of its own. Whatever it
 * does, a layer's output while recording is the plain attention's.
 */
public final class StyleIdAttention implements AttentionProcessor {

    private enum Mode { PLAIN, RECORD, INJECT }

    private final NDManager store;
    private final DataType storeType;
    private final double gamma;
    private final double temperature;
    private final Map<String, NDArray> queries = new HashMap<>();
    private final StyleInversion ownStyle;
    private StyleInversion style;
    private Mode mode = Mode.PLAIN;
    private boolean recordQueries;
    private boolean recordKeysValues;
    private long timestep;

    public StyleIdAttention(NDManager parent, DataType storeType, double gamma, double temperature) {
        this.store = parent.newSubManager();
        this.storeType = storeType;
        this.gamma = gamma;
        this.temperature = temperature;
        this.ownStyle = new StyleInversion(store, storeType);
        this.style = ownStyle;
    }

    /** Where the style's keys and values are recorded and injected from; null for the processor's own. */
    public void use(StyleInversion inversion) {
        style = inversion == null ? ownStyle : inversion;
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

    /** Bytes held by the recorded queries and the processor's own style keys and values. */
    public long storedBytes() {
        long bytes = ownStyle.storedBytes();
        for (NDArray a : queries.values()) bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
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
            if (recordQueries) keep(id, q);
            if (recordKeysValues) style.keep(id, k, v);
        } else if (mode == Mode.INJECT) {
            NDArray contentQ = recordedQuery(id, x.getDataType());
            NDArray styleK = style.key(id, x.getDataType());
            NDArray styleV = style.value(id, x.getDataType());
            NDArray mixedQ = gamma == 1 ? contentQ : contentQ.mul((float) gamma).add(q.mul((float) (1 - gamma)));
            int heads = layer.heads();
            long headDim = q.getShape().get(2) / heads;
            NDArray attended = Attention.scaledDotProduct(Attention.splitHeads(mixedQ, heads), Attention.splitHeads(styleK, heads),
                    Attention.splitHeads(styleV, heads), temperature / Math.sqrt(headDim));
            return layer.output(Attention.mergeHeads(attended));
        }
        return layer.output(Attention.multiHead(q, k, v, layer.heads()));
    }

    private void keep(String id, NDArray query) {
        NDArray copy = query.toType(storeType, true);
        NDScope.unregister(copy);
        copy.attach(store);
        NDArray previous = queries.put(id, copy);
        if (previous != null) previous.close();
    }

    private NDArray recordedQuery(String id, DataType type) {
        NDArray a = queries.get(id);
        if (a == null) throw new IllegalStateException("StyleID has no recorded content queries for " + id + ": invert before injecting");
        return a.toType(type, false);
    }

    /** Frees the recorded queries and the processor's own style keys and values. */
    public void clear() {
        queries.values().forEach(NDArray::close);
        queries.clear();
        ownStyle.clear();
    }

    public void close() {
        clear();
        ownStyle.close();
        store.close();
    }
}

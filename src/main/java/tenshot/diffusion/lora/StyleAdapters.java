package tenshot.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.LinearAdapter;
import tenshot.diffusion.nn.TorchKernels;

/**
 * Several styles' LoRAs on one model at once, each batch row through its own style's adapter:
 * {@code y[n] = W·x[n] + s·up[style(n)]·down[style(n)]·x[n]}. One UNet pass then trains (or samples)
 * every style of a board together. Each layer's adapters of all styles are stacked on a leading style
 * axis ({@code [styles, r, in]} and {@code [styles, out, r]}) and one {@link Routed} adapter per layer
 * gathers them per row in two batched products ({@link TorchKernels#styleLora}). The stacks are the
 * tensors that train: one gradient per layer rather than one per layer and style. Each style is still
 * an ordinary {@link LoraSet} (to save, checkpoint or preview), whose tensors are views of its slice.
 *
 * <p>Before each forward, {@link #route} says which style each row of the batch uses (or
 * {@link #useStyle} one style for every row); a style with no row in a step gets a zero gradient.
 */
public final class StyleAdapters implements AutoCloseable {

    private final List<LoraSet> styles = new ArrayList<>();
    private final List<Routed> layers = new ArrayList<>();
    private final Map<String, NDArray> stacks = new LinkedHashMap<>();
    private final NDManager routing;
    private NDArray rows;
    private Integer everyRow;
    private final Map<Long, NDArray> everyRowIndices = new LinkedHashMap<>();

    private StyleAdapters(NDManager manager) {
        this.routing = manager.newSubManager();
    }

    /**
     * Takes over {@code styles} (plain LoRA adapters on the same layers, with the same rank and alpha):
     * stacks their tensors, frees the originals, and attaches one routed adapter per layer. The stacks
     * require gradients when the styles' tensors did.
     */
    public static StyleAdapters attach(List<LoraSet> styles, NDManager manager) {
        if (styles.isEmpty()) throw new IllegalArgumentException("no styles to route between");
        StyleAdapters out = new StyleAdapters(manager);
        List<LoraSet.Attached> first = styles.get(0).attached();
        for (LoraSet set : styles) {
            if (set.attached().size() != first.size()) {
                throw new IllegalArgumentException("every style must adapt the same layers: " + set.attached().size()
                        + " adapters against " + first.size());
            }
        }
        List<List<LoraAdapter>> views = new ArrayList<>();
        for (int s = 0; s < styles.size(); s++) views.add(new ArrayList<>());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < first.size(); i++) {
                LoraSet.Attached layer = first.get(i);
                NDList downs = new NDList();
                NDList ups = new NDList();
                for (LoraSet set : styles) {
                    LoraSet.Attached a = set.attached().get(i);
                    if (a.linear() != layer.linear() || a.adapter().scale() != layer.adapter().scale() || a.adapter().isDora()) {
                        throw new IllegalArgumentException("styles differ at " + a.fileKey() + ": every style needs the same"
                                + " layers, rank and alpha, and plain LoRA");
                    }
                    downs.add(a.adapter().down());
                    ups.add(a.adapter().up());
                }
                boolean trainable = layer.adapter().down().hasGradient();
                NDArray down = out.stack(downs, trainable);
                NDArray up = out.stack(ups, trainable);
                out.stacks.put(layer.module() + ".lora_A.default.weight", down);
                out.stacks.put(layer.module() + ".lora_B.default.weight", up);
                for (int s = 0; s < styles.size(); s++) {
                    views.get(s).add(new LoraAdapter(persistent(down.get(s)), persistent(up.get(s)),
                            layer.adapter().alpha(), layer.adapter().userScale()));
                }
                out.layers.add(out.new Routed(i, layer.linear(), down, up));
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        for (int s = 0; s < styles.size(); s++) {
            out.styles.add(styles.get(s).withAdapters(views.get(s)));
            styles.get(s).close();
        }
        for (Routed routed : out.layers) routed.linear().addAdapter(routed);
        return out;
    }

    private NDArray stack(NDList perStyle, boolean trainable) {
        NDArray stacked = persistent(NDArrays.stack(perStyle));
        stacked.attach(routing);
        if (trainable) stacked.setRequiresGradient(true);
        return stacked;
    }

    public int size() {
        return styles.size();
    }

    /** The adapters of style {@code index} (to save, checkpoint or preview them); views of its slice of the stacks. */
    public LoraSet style(int index) {
        return styles.get(index);
    }

    /**
     * Every layer's stacked adapters ({@code [styles, ...]}), under the peft names a style's own tensors
     * have ({@code <module>.lora_A.default.weight}): the tensors that take the gradients.
     */
    public Map<String, NDArray> stacks() {
        return java.util.Collections.unmodifiableMap(stacks);
    }

    /** Row {@code n} of the next batches uses style {@code rowStyles[n]}. */
    public void route(int[] rowStyles) {
        long[] indices = new long[rowStyles.length];
        for (int n = 0; n < rowStyles.length; n++) {
            int style = rowStyles[n];
            if (style < 0 || style >= styles.size()) throw new IllegalArgumentException("no style " + style + " in " + styles.size());
            indices[n] = style;
        }
        if (rows != null) rows.close();
        rows = persistent(routing.create(indices).toDevice(device(), false));
        everyRow = null;
    }

    /** Every row of the next batches, whatever their number, uses style {@code index} (previews, one style's images). */
    public void useStyle(int index) {
        if (index < 0 || index >= styles.size()) throw new IllegalArgumentException("no style " + index + " in " + styles.size());
        everyRow = index;
    }

    /** Attaches or detaches the routed adapters (detached, the model is the base model). */
    public void setEnabled(boolean enabled) {
        for (Routed r : layers) {
            boolean present = r.linear().adapters().contains(r);
            if (enabled && !present) r.linear().addAdapter(r);
            if (!enabled && present) r.linear().removeAdapter(r);
        }
    }

    private ai.djl.Device device() {
        return layers.get(0).down.getDevice();
    }

    /** Routing arrays and views outlive the forward passes that read them: no caller's scope may close them. */
    private static NDArray persistent(NDArray array) {
        ai.djl.ndarray.NDScope.unregister(array);
        return array;
    }

    /** The row indices into the stacks for a batch of {@code n} rows. */
    private NDArray rowsFor(long n) {
        if (everyRow != null) {
            return everyRowIndices.computeIfAbsent(n * styles.size() + everyRow,
                    k -> persistent(routing.full(new Shape(n), everyRow).toType(ai.djl.ndarray.types.DataType.INT64, false)
                            .toDevice(device(), false)));
        }
        if (rows == null) throw new IllegalStateException("route the batch rows to styles before a forward");
        if (rows.getShape().get(0) != n) {
            throw new IllegalStateException("the batch has " + n + " rows, but " + rows.getShape().get(0) + " were routed");
        }
        return rows;
    }

    /** One layer's adapters of every style, applied per row. */
    final class Routed implements LinearAdapter {
        private final int index;
        private final Linear linear;
        private final NDArray down;
        private final NDArray up;

        Routed(int index, Linear linear, NDArray down, NDArray up) {
            this.index = index;
            this.linear = linear;
            this.down = down;
            this.up = up;
        }

        Linear linear() {
            return linear;
        }

        @Override
        public NDArray adapt(Linear base, NDArray input, NDArray output) {
            if (input.getShape().dimension() != 3) {
                throw new IllegalStateException("style-routed LoRA needs [batch, tokens, features] inputs at " + base.key()
                        + ", got " + input.getShape());
            }
            double scale = styles.get(0).attached().get(index).adapter().scale();
            return output.add(TorchKernels.styleLora(input, down, up, rowsFor(input.getShape().get(0)), scale));
        }

        @Override
        public String toString() {
            return "StyleAdapters.Routed" + (everyRow != null ? "[" + everyRow + "]" : "");
        }
    }

    /** Detaches the routed adapters and frees every style's tensors and the stacks. */
    @Override
    public void close() {
        setEnabled(false);
        for (LoraSet set : styles) set.close();
        routing.close();
    }
}

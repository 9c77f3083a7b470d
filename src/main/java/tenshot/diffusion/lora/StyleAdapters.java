package tenshot.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.LinearAdapter;
import tenshot.diffusion.nn.TorchKernels;

/**
 * Several styles' LoRAs on one model at once, each batch row through its own style's adapter:
 * {@code y[n] = W·x[n] + s·up[style(n)]·down[style(n)]·x[n]}. One UNet pass then trains (or samples)
 * every style of a board together. Each style's adapters are an ordinary {@link LoraSet} (own tensors,
 * own file); here they are detached from the layers and one {@link Routed} adapter per layer applies
 * them, gathered per row in two batched products ({@link TorchKernels#styleLora}).
 *
 * <p>Before each forward, {@link #route} says which style each row of the batch uses (or
 * {@link #useStyle} one style for every row); only the styles routed to are in the autograd graph, so a
 * style with no row in a step gets no gradient.
 */
public final class StyleAdapters implements AutoCloseable {

    private final List<LoraSet> styles;
    private final List<Routed> layers = new ArrayList<>();
    private final NDManager routing;
    private int[] active = new int[0];
    private NDArray rows;
    private Integer everyRow;
    private final Map<Long, NDArray> everyRowIndices = new LinkedHashMap<>();

    private StyleAdapters(List<LoraSet> styles, NDManager manager) {
        this.styles = List.copyOf(styles);
        this.routing = manager.newSubManager();
    }

    /**
     * Takes over {@code styles} (adapters on the same layers, with the same rank and alpha): detaches each
     * set's own adapters and attaches one routed adapter per layer.
     */
    public static StyleAdapters attach(List<LoraSet> styles, NDManager manager) {
        if (styles.isEmpty()) throw new IllegalArgumentException("no styles to route between");
        StyleAdapters out = new StyleAdapters(styles, manager);
        List<LoraSet.Attached> first = styles.get(0).attached();
        for (LoraSet set : styles) {
            if (set.attached().size() != first.size()) {
                throw new IllegalArgumentException("every style must adapt the same layers: " + set.attached().size()
                        + " adapters against " + first.size());
            }
            set.detach();
        }
        for (int i = 0; i < first.size(); i++) {
            List<LoraAdapter> perStyle = new ArrayList<>();
            Linear linear = first.get(i).linear();
            for (LoraSet set : styles) {
                LoraSet.Attached a = set.attached().get(i);
                if (a.linear() != linear || a.adapter().scale() != first.get(i).adapter().scale()) {
                    throw new IllegalArgumentException("styles differ at " + a.fileKey() + ": every style needs the same"
                            + " layers, rank and alpha");
                }
                perStyle.add(a.adapter());
            }
            Routed routed = out.new Routed(linear, perStyle);
            linear.addAdapter(routed);
            out.layers.add(routed);
        }
        return out;
    }

    public int size() {
        return styles.size();
    }

    /** The adapters of style {@code index} (to save, checkpoint or optimise them). */
    public LoraSet style(int index) {
        return styles.get(index);
    }

    /** Row {@code n} of the next batches uses style {@code rowStyles[n]}. */
    public void route(int[] rowStyles) {
        List<Integer> order = new ArrayList<>();
        long[] positions = new long[rowStyles.length];
        for (int n = 0; n < rowStyles.length; n++) {
            int style = rowStyles[n];
            if (style < 0 || style >= styles.size()) throw new IllegalArgumentException("no style " + style + " in " + styles.size());
            int at = order.indexOf(style);
            if (at < 0) {
                at = order.size();
                order.add(style);
            }
            positions[n] = at;
        }
        if (rows != null) rows.close();
        rows = persistent(routing.create(positions).toDevice(device(), false));
        active = order.stream().mapToInt(Integer::intValue).toArray();
        everyRow = null;
    }

    /** Every row of the next batches, whatever their number, uses style {@code index} (previews, one style's images). */
    public void useStyle(int index) {
        if (index < 0 || index >= styles.size()) throw new IllegalArgumentException("no style " + index + " in " + styles.size());
        everyRow = index;
        active = new int[] {index};
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
        return styles.get(0).attached().get(0).adapter().down().getDevice();
    }

    /** Routing arrays outlive the forward passes that read them: no caller's scope may close them. */
    private static NDArray persistent(NDArray array) {
        ai.djl.ndarray.NDScope.unregister(array);
        return array;
    }

    /** The row indices into the active styles for a batch of {@code n} rows. */
    private NDArray rowsFor(long n) {
        if (everyRow != null) {
            return everyRowIndices.computeIfAbsent(n, k -> persistent(routing.zeros(new Shape(k), ai.djl.ndarray.types.DataType.INT64)
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
        private final Linear linear;
        private final List<LoraAdapter> perStyle;

        Routed(Linear linear, List<LoraAdapter> perStyle) {
            this.linear = linear;
            this.perStyle = perStyle;
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
            List<NDArray> downs = new ArrayList<>(active.length);
            List<NDArray> ups = new ArrayList<>(active.length);
            for (int style : active) {
                downs.add(perStyle.get(style).down());
                ups.add(perStyle.get(style).up());
            }
            NDArray delta = TorchKernels.styleLora(input, downs, ups, rowsFor(input.getShape().get(0)), perStyle.get(0).scale());
            return output.add(delta);
        }

        @Override
        public String toString() {
            return "StyleAdapters.Routed" + Arrays.toString(active);
        }
    }

    /** Detaches the routed adapters and frees every style's tensors. */
    @Override
    public void close() {
        setEnabled(false);
        for (LoraSet set : styles) set.close();
        routing.close();
    }
}

package tenshot.diffusion.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * PyTorch operations that DJL's JNI does not expose: fused scaled-dot-product attention (flash,
 * memory-efficient or cuDNN, as PyTorch dispatches it), group norm, SiLU, a dtype cast that keeps the
 * gradient, and the optimizer's multi-tensor updates. They are reached through a small TorchScript
 * module whose source is {@link #SOURCE}: Tenshot writes it into a TorchScript archive in memory and
 * loads it once through DJL's TorchScript support. Each call runs PyTorch's own operator with autograd
 * exactly as the calling thread's grad mode says, on the CPU or on CUDA, like any DJL op.
 *
 * <p>Scalar arguments (group counts, eps, dtypes) travel as 0-d CPU tensors, cached per value, so no
 * call copies anything between host and device.
 */
public final class TorchKernels {

    /**
     * The module's source in TorchScript's serialized form: {@code torch.x} names the ATen operator
     * {@code aten::x}; dtypes are their ScalarType codes.
     */
    static final String SOURCE = """
            class Kernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def attention(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(q, k, v)
              def scaled_attention(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor, scale: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=float(scale))
              def causal_attention(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(q, k, v, None, 0., True)
              def group_norm(self: __torch__.Kernels, x: Tensor, groups: Tensor, weight: Tensor, bias: Tensor, eps: Tensor) -> Tensor:
                return torch.group_norm(x, int(groups), weight, bias, float(eps))
              def group_norm_silu(self: __torch__.Kernels, x: Tensor, groups: Tensor, weight: Tensor, bias: Tensor, eps: Tensor) -> Tensor:
                return torch.silu(torch.group_norm(x, int(groups), weight, bias, float(eps)))
              def conv2d_native(self: __torch__.Kernels, x: Tensor, weight: Tensor, bias: Tensor, stride: Tensor, padding: Tensor) -> Tensor:
                s = int(stride)
                p = int(padding)
                return torch.thnn_conv2d(x, weight, [torch.size(weight, 2), torch.size(weight, 3)], bias, [s, s], [p, p])
              def conv2d_native_unbiased(self: __torch__.Kernels, x: Tensor, weight: Tensor, stride: Tensor, padding: Tensor) -> Tensor:
                s = int(stride)
                p = int(padding)
                return torch.thnn_conv2d(x, weight, [torch.size(weight, 2), torch.size(weight, 3)], None, [s, s], [p, p])
              def linear(self: __torch__.Kernels, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
                return torch.linear(x, weight, bias)
              def silu(self: __torch__.Kernels, x: Tensor) -> Tensor:
                return torch.silu(x)
              def geglu(self: __torch__.Kernels, x: Tensor) -> Tensor:
                halves = torch.chunk(x, 2, -1)
                return torch.mul(halves[0], torch.gelu(halves[1]))
              def style_lora(self: __torch__.Kernels, x: Tensor, downs: Tensor, ups: Tensor, rows: Tensor, scale: Tensor) -> Tensor:
                dtype = ops.prim.dtype(x)
                a = torch.index_select(torch.to(downs, dtype), 0, rows)
                b = torch.index_select(torch.to(ups, dtype), 0, rows)
                h = torch.matmul(x, torch.transpose(a, 1, 2))
                return torch.mul(torch.matmul(h, torch.transpose(b, 1, 2)), float(scale))
              def cast(self: __torch__.Kernels, x: Tensor, dtype: Tensor) -> Tensor:
                return torch.to(x, int(dtype))
              def clip_grad_norm(self: __torch__.Kernels, grads: List[Tensor], max_norm: Tensor) -> Tensor:
                total = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(grads, 2)), 2)
                coefficient = torch.clamp(torch.mul(torch.reciprocal(torch.add(total, 1e-06)), float(max_norm)), None, 1.)
                torch._foreach_mul_(grads, coefficient)
                return total
              def adamw(self: __torch__.Kernels, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor], steps: List[Tensor], lr: Tensor, beta1: Tensor, beta2: Tensor, weight_decay: Tensor, eps: Tensor) -> Tensor:
                torch._foreach_add_(steps, 1)
                torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=float(lr), beta1=float(beta1), beta2=float(beta2), weight_decay=float(weight_decay), eps=float(eps), amsgrad=False, maximize=False)
                torch._foreach_zero_(grads)
                return lr
              def style_clip(self: __torch__.Kernels, grads: List[Tensor], max_norm: Tensor) -> Tensor:
                norms = annotate(List[Tensor], [])
                for grad in grads:
                  norms.append(torch.linalg_vector_norm(torch.flatten(grad, 1), 2, [1]))
                totals = torch.linalg_vector_norm(torch.stack(norms), 2, [0])
                coefficients = torch.clamp(torch.mul(torch.reciprocal(torch.add(totals, 1e-06)), float(max_norm)), None, 1.)
                per_style = torch.reshape(coefficients, [-1, 1, 1])
                scales = annotate(List[Tensor], [])
                for grad in grads:
                  scales.append(per_style)
                torch._foreach_mul_(grads, scales)
                return totals
              def style_adamw_together(self: __torch__.Kernels, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor], steps: List[Tensor], lr: Tensor, beta1: Tensor, beta2: Tensor, weight_decay: Tensor, eps: Tensor) -> Tensor:
                torch._foreach_add_(steps, 1)
                shared = annotate(List[Tensor], [])
                for param in params:
                  shared.append(steps[0])
                torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), shared, lr=float(lr), beta1=float(beta1), beta2=float(beta2), weight_decay=float(weight_decay), eps=float(eps), amsgrad=False, maximize=False)
                torch._foreach_zero_(grads)
                return lr
              def style_adamw_each(self: __torch__.Kernels, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor], steps: List[Tensor], styles: Tensor, lrs: Tensor, beta1: Tensor, beta2: Tensor, weight_decay: Tensor, eps: Tensor) -> Tensor:
                updated = annotate(List[Tensor], [])
                for i in range(torch.size(styles, 0)):
                  s = int(torch.select(styles, 0, i))
                  step = steps[s]
                  p = annotate(List[Tensor], [])
                  g = annotate(List[Tensor], [])
                  m = annotate(List[Tensor], [])
                  v = annotate(List[Tensor], [])
                  counts = annotate(List[Tensor], [])
                  for j in range(len(params)):
                    p.append(torch.select(params[j], 0, s))
                    g.append(torch.select(grads[j], 0, s))
                    m.append(torch.select(exp_avgs[j], 0, s))
                    v.append(torch.select(exp_avg_sqs[j], 0, s))
                    counts.append(step)
                  torch.add_(step, 1)
                  torch._fused_adamw_(p, g, m, v, annotate(List[Tensor], []), counts, lr=float(torch.select(lrs, 0, i)), beta1=float(beta1), beta2=float(beta2), weight_decay=float(weight_decay), eps=float(eps), amsgrad=False, maximize=False)
                  updated.append(torch.flatten(p[0])[0])
                torch._foreach_zero_(grads)
                return torch.stack(updated)
              def copy_into(self: __torch__.Kernels, target: Tensor, source: Tensor) -> Tensor:
                return torch.copy_(target, source)
            """;

    private static final ThreadLocal<Boolean> PLAIN_INTERPRETER = new ThreadLocal<>();

    private final PtSymbolBlock module;
    private final NDManager manager;
    private final Map<String, NDArray> methods = new ConcurrentHashMap<>();
    private final Map<Object, NDArray> scalars = new ConcurrentHashMap<>();

    private TorchKernels() {
        Engine.getEngine("PyTorch");
        this.manager = NDManager.newBaseManager(Device.cpu());
        try {
            this.module = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive()), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load Tenshot's TorchScript kernels", e);
        }
    }

    private static final class Holder {
        static final TorchKernels INSTANCE = new TorchKernels();
    }

    private static TorchKernels get() {
        return Holder.INSTANCE;
    }

    /** {@code softmax(q·kᵀ/√d)·v} over {@code [B, H, L, d]} inputs, fused. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v) {
        return get().call("attention", q, k, v);
    }

    /** {@code softmax(scale·q·kᵀ)·v}: attention with a score scale other than {@code 1/√d}. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, double scale) {
        TorchKernels kernels = get();
        return kernels.call("scaled_attention", q, k, v, kernels.scalar(scale));
    }

    /** Attention where each query sees only itself and the keys before it. */
    public static NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
        return get().call("causal_attention", q, k, v);
    }

    /** torch.nn.functional.group_norm of {@code [N, C, ...]}; with {@code silu}, SiLU follows. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps, boolean silu) {
        TorchKernels k = get();
        return k.call(silu ? "group_norm_silu" : "group_norm", x, k.scalar(groups), weight, bias, k.scalar(eps));
    }

    /**
     * A 2-D convolution with square stride and symmetric zero padding; {@code bias} may be null. On
     * CUDA this is cuDNN, as everywhere. On the CPU, fp32 and fp64 convolutions run ATen's own
     * im2col-and-GEMM kernel ({@code thnn_conv2d}) rather than oneDNN: oneDNN picks its kernels and
     * blocking per processor, and its results, backward ones included, differ between CPUs by far more
     * than rounding (docs/training.md, "Gradients that depended on the CPU").
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        DataType type = x.getDataType();
        if (x.getDevice().isGpu() || type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            return JniUtils.convolution((PtNDArray) x, (PtNDArray) weight, (PtNDArray) bias, new Shape(stride, stride),
                    new Shape(padding, padding), new Shape(1, 1), 1);
        }
        TorchKernels k = get();
        return bias == null ? k.call("conv2d_native_unbiased", x, weight, k.scalar(stride), k.scalar(padding))
                : k.call("conv2d_native", x, weight, bias, k.scalar(stride), k.scalar(padding));
    }

    /**
     * {@code x·Wᵀ + b} as {@code torch.nn.functional.linear} computes it: for a 3-D input the bias is
     * added in the matrix product's epilogue ({@code addmm} over the flattened rows). DJL's own linear
     * is libtorch's C++ {@code functional::linear}, which multiplies and then adds the bias in a
     * separate broadcast kernel for anything but 2-D input.
     */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return get().call("linear", x, weight, bias);
    }

    public static NDArray silu(NDArray x) {
        return get().call("silu", x);
    }

    /** {@code hidden · gelu(gate)} where {@code hidden, gate} are the two halves of the last axis. */
    public static NDArray geglu(NDArray x) {
        return get().call("geglu", x);
    }

    /**
     * The low-rank updates of several adapters at once, one per batch row: for {@code x [N, L, in]},
     * row {@code n} gets {@code scale · x[n] · downs[rows[n]]ᵀ · ups[rows[n]]ᵀ}, where {@code downs} is
     * {@code [styles, r, in]} and {@code ups} {@code [styles, out, r]}, both cast to x's dtype with the
     * gradient kept.
     */
    public static NDArray styleLora(NDArray x, NDArray downs, NDArray ups, NDArray rows, double scale) {
        TorchKernels k = get();
        return k.call("style_lora", x, downs, ups, rows, k.scalar(scale));
    }

    /** {@code x} in {@code type}; unlike DJL's {@code toType}, the gradient flows through the cast. */
    public static NDArray cast(NDArray x, DataType type) {
        if (x.getDataType() == type) return x;
        TorchKernels k = get();
        return k.call("cast", x, k.scalar(scalarTypeCode(type)));
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_}: every gradient is scaled in place by
     * {@code min(1, maxNorm / (norm + 1e-6))} of their global norm. Returns the norm before clipping, a
     * scalar on the device.
     */
    public static NDArray clipGradNorm(List<NDArray> grads, double maxNorm) {
        return clip("clip_grad_norm", grads, maxNorm);
    }

    /**
     * One step of {@code torch.optim.AdamW(fused=True)} over every parameter at once; the step counters
     * ({@code steps}, one fp32 scalar per parameter) advance by one, and the gradients are zeroed after.
     */
    public static void adamw(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs, List<NDArray> expAvgSqs,
            List<NDArray> steps, double lr, double beta1, double beta2, double weightDecay, double eps) {
        TorchKernels k = get();
        List<Argument> arguments = adamwState(params, grads, expAvgs, expAvgSqs, steps);
        for (double scalar : new double[] {lr, beta1, beta2, weightDecay, eps}) arguments.add(new Argument(k.scalar(scalar), null));
        k.call("adamw", arguments).close();
    }

    /**
     * Clips each style's slice of stacked gradients ({@code [styles, rows, cols]}) in place by the slice's
     * own global norm, as {@link #clipGradNorm} clips one style's tensors. Returns the norms before
     * clipping, {@code [styles]}.
     */
    public static NDArray styleClip(List<NDArray> grads, double maxNorm) {
        return clip("style_clip", grads, maxNorm);
    }

    private static NDArray clip(String method, List<NDArray> grads, double maxNorm) {
        TorchKernels k = get();
        List<Argument> arguments = new ArrayList<>(list(grads, "grads[]"));
        arguments.add(new Argument(k.scalar(maxNorm), null));
        return k.call(method, arguments);
    }

    /**
     * One fused AdamW update of every style's adapters stacked on a leading style axis ({@code params[j]}
     * is {@code [styles, rows, cols]}, as are their gradients and moments), for styles that are all at the
     * same step and rate: each style's step counter ({@code steps}, one per style) advances. The
     * gradients are zeroed after.
     */
    public static void styleAdamwTogether(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs, List<NDArray> expAvgSqs,
            List<NDArray> steps, double lr, double beta1, double beta2, double weightDecay, double eps) {
        TorchKernels k = get();
        List<Argument> arguments = adamwState(params, grads, expAvgs, expAvgSqs, steps);
        for (double scalar : new double[] {lr, beta1, beta2, weightDecay, eps}) arguments.add(new Argument(k.scalar(scalar), null));
        k.call("style_adamw_together", arguments).close();
    }

    /**
     * As {@link #styleAdamwTogether}, but style by style: style {@code styles[i]}'s slices take a fused
     * AdamW update at {@code lrs[i]} and its step counter advances, as that style's own tensors would;
     * styles not listed are left alone. The gradients are zeroed after. (The kernel returns one updated
     * value per style only so that TorchScript keeps the updates: it drops in-place operations on a list
     * of views that nothing reads afterwards.)
     */
    public static void styleAdamwEach(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs, List<NDArray> expAvgSqs,
            List<NDArray> steps, int[] styles, double[] lrs, double beta1, double beta2, double weightDecay, double eps) {
        TorchKernels k = get();
        long[] indices = new long[styles.length];
        for (int i = 0; i < styles.length; i++) indices[i] = styles[i];
        try (NDArray which = k.manager.create(indices); NDArray rates = k.manager.create(lrs)) {
            List<Argument> arguments = adamwState(params, grads, expAvgs, expAvgSqs, steps);
            arguments.add(new Argument(which, null));
            arguments.add(new Argument(rates, null));
            for (double scalar : new double[] {beta1, beta2, weightDecay, eps}) arguments.add(new Argument(k.scalar(scalar), null));
            k.call("style_adamw_each", arguments).close();
        }
    }

    private static List<Argument> adamwState(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs,
            List<NDArray> expAvgSqs, List<NDArray> steps) {
        List<Argument> arguments = new ArrayList<>();
        arguments.addAll(list(params, "params[]"));
        arguments.addAll(list(grads, "grads[]"));
        arguments.addAll(list(expAvgs, "exp_avgs[]"));
        arguments.addAll(list(expAvgSqs, "exp_avg_sqs[]"));
        arguments.addAll(list(steps, "steps[]"));
        return arguments;
    }

    /**
     * Overwrites {@code target}'s values with {@code source}'s in place (no gradient), so a view writes
     * through to the tensor it views. DJL's {@code set} swaps the target's storage instead.
     */
    public static void copyInto(NDArray target, NDArray source) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            get().call("copy_into", target, source).close();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** One input of a call: an array, and the DJL input name that puts it into a list argument (or null). */
    private record Argument(NDArray array, String listName) {}

    private static List<Argument> list(List<NDArray> arrays, String listName) {
        List<Argument> out = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) out.add(new Argument(a, listName));
        return out;
    }

    private NDArray call(String method, NDArray... inputs) {
        List<Argument> arguments = new ArrayList<>(inputs.length);
        for (NDArray a : inputs) arguments.add(new Argument(a, null));
        return call(method, arguments);
    }

    /**
     * Runs {@code method}. DJL's TorchScript bridge reads its inputs' names (a list element is named
     * {@code <list>[]}, a name with a dot would make a dict entry), so each input carries the name its
     * role needs for the call and gets its own name back afterwards.
     */
    private NDArray call(String method, List<Argument> arguments) {
        if (PLAIN_INTERPRETER.get() == null) {
            // Graph-executor optimisation is per thread: keep it off so each call runs exactly its operators.
            JniUtils.setGraphExecutorOptimize(false);
            PLAIN_INTERPRETER.set(Boolean.TRUE);
        }
        NDList inputs = new NDList(arguments.size() + 1);
        String[] names = new String[arguments.size()];
        for (int i = 0; i < names.length; i++) {
            Argument a = arguments.get(i);
            names[i] = a.array().getName();
            a.array().setName(a.listName());
            inputs.add(a.array());
        }
        inputs.add(methods.computeIfAbsent(method, this::marker));
        try {
            // training = true: run with autograd as the thread's grad mode says (DJL's inference path
            // would switch to InferenceMode, whose tensors cannot take part in a backward pass).
            return IValueUtils.forward(module, inputs, true).singletonOrThrow();
        } finally {
            for (int i = 0; i < names.length; i++) arguments.get(i).array().setName(names[i]);
        }
    }

    /** DJL picks the module method from an extra input named {@code module_method:<name>}. */
    private NDArray marker(String method) {
        NDArray marker = manager.create(0f);
        marker.setName("module_method:" + method);
        NDScope.unregister(marker);
        return marker;
    }

    private NDArray scalar(Object value) {
        return scalars.computeIfAbsent(value, v -> {
            NDArray s = v instanceof Integer i ? manager.create((long) i) : manager.create((double) (Double) v);
            NDScope.unregister(s);
            return s;
        });
    }

    private NDArray scalar(double value) {
        return scalar((Object) value);
    }

    private NDArray scalar(int value) {
        return scalar((Object) value);
    }

    /** PyTorch's ScalarType code of a DJL dtype. */
    static int scalarTypeCode(DataType type) {
        return switch (type) {
            case UINT8 -> 0;
            case INT8 -> 1;
            case INT32 -> 3;
            case INT64 -> 4;
            case FLOAT16 -> 5;
            case FLOAT32 -> 6;
            case FLOAT64 -> 7;
            case BOOLEAN -> 11;
            default -> throw new IllegalArgumentException("no PyTorch cast to " + type);
        };
    }

    /**
     * The TorchScript archive of {@link #SOURCE}: the zip layout {@code torch.jit.save} writes for a
     * module without tensors (the module object in {@code data.pkl}, its class in {@code code/}, an empty
     * constants table, the file-format version).
     */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "data.pkl", moduleObject());
            stored(zip, "code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // PROTO 2, EMPTY_TUPLE, STOP
            // 10: the newest format, so no operator upgrader rewrites the source
            stored(zip, "version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** Pickle (protocol 2) of a {@code __torch__.Kernels} object whose only attribute is {@code training = False}. */
    private static byte[] moduleObject() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2});                                   // PROTO 2
        p.writeBytes("c__torch__\nKernels\n".getBytes(StandardCharsets.US_ASCII));  // GLOBAL
        p.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '('});              // BINPUT 0, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK
        byte[] name = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X');                                                                // BINUNICODE
        p.writeBytes(new byte[] {(byte) name.length, 0, 0, 0});
        p.writeBytes(name);
        p.writeBytes(new byte[] {(byte) 0x89, 'u', 'b', '.'});                       // NEWFALSE, SETITEMS, BUILD, STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry("kernels/" + name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}

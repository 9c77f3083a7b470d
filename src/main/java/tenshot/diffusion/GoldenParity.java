package tenshot.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.train.AdamW;
import tenshot.diffusion.train.DreamBoothObjective;
import tenshot.diffusion.train.GradientClipping;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.vae.AutoencoderKL;
import tenshot.diffusion.weights.SafetensorsFile;

/**
 * The engine against the golden tensors that diffusers, transformers and peft computed from the tiny
 * SD 2.1 checkpoint ({@code fixtures/golden}, fp32 on the CPU), on any device. Each check states its
 * tolerance: in fp32 the parity bar (1e-4 for forwards, 1e-5 for gradients and the optimizer step); in
 * fp16, bounds that fp16 storage and arithmetic allow, each explained where it is set. Used by
 * {@code tenshot selftest} and by the parity tests.
 */
public final class GoldenParity {

    /** One compared quantity: the worst error, the bound it must stay within, and what the error measures. */
    public record Check(String name, double error, double tolerance, String measure) {
        public boolean passed() {
            return error <= tolerance; // NaN fails
        }
    }

    private final Path tiny;
    private final Path golden;
    private final EngineDevice device;
    private final boolean half;

    /** {@code fixtures} is the folder holding {@code tiny-sd21/} and {@code golden/}. */
    public GoldenParity(Path fixtures, EngineDevice device) {
        this.tiny = fixtures.resolve("tiny-sd21");
        this.golden = fixtures.resolve("golden");
        for (Path p : List.of(tiny, golden)) {
            if (!Files.isDirectory(p)) throw new IllegalArgumentException("golden fixtures not found: " + p + " is not a folder");
        }
        this.device = device;
        this.half = device.dtype() == DataType.FLOAT16;
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
    }

    /** Every check, in the order a reader follows the model: text encoder, UNet, LoRA, DoRA, VAE, one training step. */
    public List<Check> all() {
        List<Check> checks = new ArrayList<>();
        checks.addAll(textEncoder());
        checks.addAll(unet());
        checks.addAll(vae());
        checks.addAll(trainStep());
        return checks;
    }

    public List<Check> textEncoder() {
        return inference(m -> {
            ClipTextModel model = ClipTextModel.load(tiny.resolve("text_encoder"), device, m);
            SafetensorsFile g = SafetensorsFile.open(golden.resolve("text_encoder.safetensors"));
            ClipTextModel.Output out = model.encode(g.load("input_ids", m).toDevice(device.device(), false));
            // fp16: 12 layers of fp16 storage on activations of size ~1; 2e-2 is ~20 fp16 ulps at 1.
            double tol = half ? 2e-2 : 1e-4;
            return List.of(
                    compare("text encoder last_hidden_state", g.load("last_hidden_state", m), out.lastHiddenState(), tol),
                    compare("text encoder penultimate hidden state", g.load("penultimate_hidden_state", m),
                            out.penultimateHiddenState(), tol));
        });
    }

    public List<Check> unet() {
        return inference(m -> {
            UNet2DConditionModel unet = UNet2DConditionModel.load(tiny.resolve("unet"), device, m);
            SafetensorsFile g = SafetensorsFile.open(golden.resolve("unet.safetensors"));
            NDArray sample = input(g, "sample", m);
            NDArray timestep = g.load("timestep", m).toDevice(device.device(), false);
            NDArray context = input(g, "encoder_hidden_states", m);
            // fp16: the output is ~1 in size after ~60 fp16 layers; 2e-2 holds on fp16 hardware and CPU alike.
            double tol = half ? 2e-2 : 1e-4;
            List<Check> checks = new ArrayList<>();
            checks.add(compare("UNet output", g.load("out", m), unet.forward(sample, timestep, context), tol));
            try (LoraSet lora = LoraSet.load(golden.resolve("lora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), 1.0, m, device.dtype())) {
                SafetensorsFile withLora = SafetensorsFile.open(golden.resolve("unet_lora.safetensors"));
                checks.add(compare("UNet output with LoRA", withLora.load("out_with_lora", m), unet.forward(sample, timestep, context), tol));
            }
            try (LoraSet dora = LoraSet.load(golden.resolve("dora/pytorch_lora_weights.safetensors"),
                    Map.of("unet", unet.linears()), 1.0, m, device.dtype())) {
                SafetensorsFile withDora = SafetensorsFile.open(golden.resolve("dora/train_step.safetensors"));
                checks.add(compare("UNet output with DoRA", withDora.load("out_with_dora", m), unet.forward(sample, timestep, context), tol));
            }
            return checks;
        });
    }

    public List<Check> vae() {
        return inference(m -> {
            AutoencoderKL vae = AutoencoderKL.load(tiny.resolve("vae"), device, m);
            SafetensorsFile g = SafetensorsFile.open(golden.resolve("vae.safetensors"));
            AutoencoderKL.Posterior posterior = vae.encode(input(g, "image", m));
            // fp16: pixels in [-1, 1]; 2e-2 is 2.5/255 on the 0..255 scale.
            double tol = half ? 2e-2 : 1e-4;
            return List.of(
                    compare("VAE posterior mean", g.load("mean", m), posterior.mean(), tol),
                    compare("VAE decoded image", g.load("decoded", m), vae.decode(input(g, "mean", m)), tol));
        });
    }

    /** The LoRA of {@code golden/lora/}, with its step in {@code golden/train_step.safetensors}. */
    public static final String LORA = "lora";
    /** The DoRA of {@code golden/dora/}, with its step in {@code golden/dora/train_step.safetensors}. */
    public static final String DORA = "dora";

    /** {@link #trainStep(String)} of the LoRA golden. */
    public List<Check> trainStep() {
        return trainStep(LORA);
    }

    /**
     * One DreamBooth step with prior preservation from the inputs of golden {@code train_step.*}, with
     * the adapter of {@code golden/<adapter>/pytorch_lora_weights.safetensors} ({@link #LORA} or {@link
     * #DORA}) against that adapter's golden step: the losses, every adapter gradient (DoRA's magnitudes
     * too), the clipped norm, and the weights after one AdamW step. The UNet runs in the device dtype,
     * the adapter weights and the loss in fp32.
     */
    public List<Check> trainStep(String adapter) {
        if (!adapter.equals(LORA) && !adapter.equals(DORA)) {
            throw new IllegalArgumentException("golden adapter must be " + LORA + " or " + DORA + ", was " + adapter);
        }
        Path adapterFile = golden.resolve(adapter).resolve("pytorch_lora_weights.safetensors");
        Path expectedStep = adapter.equals(LORA) ? golden.resolve("train_step.safetensors") : golden.resolve(adapter).resolve("train_step.safetensors");
        String label = adapter.equals(LORA) ? "LoRA" : "DoRA";
        boolean gradMode = JniUtils.isGradMode();
        try (NDManager m = NDManager.newBaseManager(device.device())) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(tiny.resolve("unet"), device, m);
            SafetensorsFile in = SafetensorsFile.open(golden.resolve("train_step.safetensors"));
            SafetensorsFile g = SafetensorsFile.open(expectedStep);
            List<Check> checks = new ArrayList<>();
            try (LoraSet lora = LoraSet.loadTrainable(adapterFile, Map.of("unet", unet.linears()), m);
                    AdamW adamW = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2), m)) {
                Map<String, NDArray> params = new LinkedHashMap<>();
                for (LoraSet.Parameter p : lora.parameters()) params.put(p.peftName(), p.array());
                long goldenGradients = g.keys().stream().filter(k -> k.startsWith("grad.")).count();
                if (goldenGradients != params.size()) {
                    throw new IllegalStateException(label + " train step: " + params.size() + " trainable parameters, the golden has "
                            + goldenGradients + " gradients");
                }
                adamW.addGroup(params, 1e-4);
                NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.load(tiny.resolve("scheduler/scheduler_config.json")));
                long[] timesteps = in.load("timesteps", m).toLongArray();
                DreamBoothObjective.Loss loss;
                try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                    loss = new DreamBoothObjective(schedule, 1.0).loss(
                            (x, t, c) -> unet.forward(x, m.create(t).toDevice(device.device(), false), c),
                            in.load("latents", m).toDevice(device.device(), false), in.load("noise", m).toDevice(device.device(), false),
                            timesteps, input(in, "encoder_hidden_states", m), device.dtype());
                    collector.backward(loss.total());
                }
                checks.add(lossCheck(label + " train step loss", g.load("loss", m), loss.total()));
                checks.add(lossCheck(label + " train step instance loss", g.load("loss_instance", m), loss.instance()));
                checks.add(lossCheck(label + " train step prior loss", g.load("loss_prior", m), loss.prior()));
                double worst = 0;
                double largest = 0;
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    NDArray expected = g.load("grad." + e.getKey(), m).toDevice(device.device(), false);
                    try (NDArray grad = JniUtils.getGradient((PtNDArray) e.getValue())) {
                        worst = Math.max(worst, maxAbs(expected, grad));
                    }
                    largest = Math.max(largest, expected.abs().max().getFloat());
                }
                // fp16: backward through fp16 layers; 2% of the largest gradient.
                checks.add(new Check(label + " train step gradients (" + params.size() + ")", worst, half ? 2e-2 * largest : 1e-5,
                        "max abs"));
                float expectedNorm = g.load("grad_norm_before_clip", m).getFloat(0);
                try (NDArray norm = GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0)) {
                    checks.add(new Check(label + " train step grad norm before clipping", Math.abs(norm.getFloat() - expectedNorm),
                            half ? 2e-2 * expectedNorm : 1e-5 * Math.max(1, expectedNorm), "absolute"));
                }
                // The step is checked on the golden's own gradients. Adam's first step moves a weight by
                // lr·g/(|g| + eps), whose slope near g = 0 is lr/eps = 1e4: gradients that match to 3e-8
                // moved the weights 4e-6 to 1.4e-5 apart depending on the CPU and its thread count.
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    try (NDArray grad = JniUtils.getGradient((PtNDArray) e.getValue())) {
                        TorchKernels.copyInto(grad, g.load("grad." + e.getKey(), m).toDevice(device.device(), false));
                    }
                }
                GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0).close();
                adamW.step(1.0);
                double moved = 0;
                for (LoraSet.Parameter p : lora.parameters()) {
                    moved = Math.max(moved, maxAbs(g.load("after_step." + p.diffusersName(), m).toDevice(device.device(), false),
                            p.array()));
                }
                // The adapter and its optimizer are fp32 on every device, so fp16 has the same bar.
                checks.add(new Check(label + " train step weights after AdamW from the golden gradients", moved, 1e-5, "max abs"));
            }
            return checks;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private Check lossCheck(String name, NDArray golden, NDArray actual) {
        float expected = golden.getFloat(0);
        // fp16: the loss is a mean over fp16 predictions; 1% of its value.
        return new Check(name, Math.abs(actual.getFloat() - expected), half ? 1e-2 * expected : 1e-5, "absolute");
    }

    private interface Body {
        List<Check> run(NDManager manager);
    }

    private List<Check> inference(Body body) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager(device.device())) {
            return body.run(m);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** A golden input on the device in the device dtype. */
    private NDArray input(SafetensorsFile g, String key, NDManager m) {
        return g.load(key, m).toDevice(device.device(), false).toType(device.dtype(), false);
    }

    private static Check compare(String name, NDArray expected, NDArray actual, double tolerance) {
        if (!expected.getShape().equals(actual.getShape())) {
            throw new IllegalStateException(name + ": shape " + actual.getShape() + ", golden " + expected.getShape());
        }
        return new Check(name, maxAbs(expected.toDevice(actual.getDevice(), false), actual), tolerance, "max abs");
    }

    private static double maxAbs(NDArray expected, NDArray actual) {
        NDArray e = expected.toType(DataType.FLOAT32, false);
        NDArray a = actual.toType(DataType.FLOAT32, false);
        double error = a.sub(e).abs().max().getFloat();
        return Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
    }
}

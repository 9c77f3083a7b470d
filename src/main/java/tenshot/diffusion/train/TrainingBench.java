package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tenshot.diffusion.DeviceMemory;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.SeededNoise;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.lora.LoraSpec;
import tenshot.diffusion.lora.StyleAdapters;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.PredictionType;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.unet.UNetConfig;

/**
 * The training-step benchmark: one DreamBooth step (batch 2 = instance + class, LoRA on the attention
 * projections, forward, backward, grad clipping, AdamW) on a random-weight UNet of any config, timed
 * over a few steps after warmup. The bench command prints its rows; the reference is diffusers + peft
 * on one H200 (fp16 base, fp32 LoRA rank 32): 119 ms and 6.3 GiB at 512 px, 123 ms and 9.0 GiB at 768 px.
 */
public final class TrainingBench {

    /**
     * One measured configuration.
     *
     * @param peakGiB the peak memory during the timed steps: process peak RSS on the CPU (weights
     *     included), PyTorch's pool (reserved peak, weights included) on CUDA
     */
    public record Row(String device, int size, int batch, int rank, int steps, double msPerStep, double peakGiB, String peakKind,
            Phases phases) {}

    /**
     * Milliseconds of each phase of one step, each phase waited for before the next starts (so they add
     * up to a little more than an unsynchronised step): forward with the loss, backward, clipping with
     * the optimizer step.
     */
    public record Phases(double forward, double backward, double optimizer) {}

    private TrainingBench() {}

    /** Times {@code steps} training steps after {@code warmup} at {@code size} px with a rank-{@code rank} LoRA. */
    public static Row measure(UNetConfig config, EngineDevice device, int size, int rank, int warmup, int steps, long seed) {
        return measure(config, device, size, rank, 1, warmup, steps, seed);
    }

    /**
     * As {@link #measure(UNetConfig, EngineDevice, int, int, int, int, long)} for a board of {@code styles}
     * styles trained together: {@code 2 · styles} rows per step, each style's adapters, clipping and AdamW.
     */
    public static Row measure(UNetConfig config, EngineDevice device, int size, int rank, int styles, int warmup, int steps,
            long seed) {
        if (size % 8 != 0) throw new IllegalArgumentException("bench size must be a multiple of 8: " + size);
        if (steps < 1) throw new IllegalArgumentException("bench needs at least one timed step");
        if (styles < 1) throw new IllegalArgumentException("bench needs at least one style");
        ai.djl.engine.Engine.getEngine("PyTorch");
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        DeviceMemory memory = DeviceMemory.baseline(device);
        // the optimizers' state lives in sub-managers of this one and goes with it
        try (NDManager manager = NDManager.newBaseManager(device.device())) {
            UNet2DConditionModel unet = UNet2DConditionModel.random(config, device, manager, seed);
            List<LoraSet> sets = new ArrayList<>();
            for (int s = 0; s < styles; s++) {
                sets.add(LoraSet.createTrainable(List.of(new LoraSpec("unet", unet.linears(), LoraSpec.UNET_ATTENTION, rank, rank)),
                        seed + s, manager));
            }
            StyleAdapters routed = styles > 1 ? StyleAdapters.attach(sets, manager) : null;
            Optimizer optimizer;
            if (routed == null) {
                Map<String, NDArray> params = new LinkedHashMap<>();
                for (LoraSet.Parameter p : sets.get(0).parameters()) params.put(p.peftName(), p.array());
                AdamW adamW = new AdamW(AdamW.Settings.torchDefaults(), manager);
                adamW.addGroup(params, 1e-4);
                optimizer = new Optimizer(adamW.parameters().get(0), () -> {
                    GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0).close();
                    adamW.step(1.0);
                });
            } else {
                StackedAdamW stacked = new StackedAdamW(AdamW.Settings.torchDefaults(), routed.stacks(), 1e-4, manager);
                int[] all = java.util.stream.IntStream.range(0, styles).toArray();
                double[] factors = new double[styles];
                java.util.Arrays.fill(factors, 1.0);
                optimizer = new Optimizer(routed.stacks().values().iterator().next(), () -> stacked.step(all, factors, 1.0).close());
            }
            int rows = 2 * styles;
            int[] rowStyles = new int[rows];
            long[] seeds = new long[rows];
            long[] timesteps = new long[rows];
            for (int r = 0; r < rows; r++) {
                rowStyles[r] = r / 2;
                seeds[r] = seed + r;
                timesteps[r] = r % 2 == 0 ? 500 : 250;
            }
            if (routed != null) routed.route(rowStyles);
            NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.V_PREDICTION));
            Batch batch = new Batch(manager, unet, new DreamBoothObjective(schedule, 1.0), optimizer, device, timesteps,
                    SeededNoise.normal(manager, seeds, new Shape(config.inChannels(), size / 8, size / 8)).toDevice(device.device(), false),
                    SeededNoise.normal(manager, seeds, new Shape(config.inChannels(), size / 8, size / 8)).mul(0.5f).toDevice(device.device(), false),
                    SeededNoise.normal(manager, seeds, new Shape(77, config.crossAttentionDim())).toDevice(device.device(), false)
                            .toType(device.dtype(), false));
            try {
                for (int i = 0; i < warmup; i++) batch.step();
                resetPeakRss();
                long began = System.nanoTime();
                for (int i = 0; i < steps; i++) batch.step();
                double ms = (System.nanoTime() - began) / 1e6 / steps;
                boolean gpu = device.isGpu();
                double peak = gpu ? memory.pool() / (double) (1L << 30) : peakRssGiB();
                return new Row(device.toString(), size, rows, rank, steps, ms, peak, gpu ? "PyTorch pool (reserved peak)" : "process peak RSS",
                        batch.phases());
            } finally {
                if (routed != null) routed.close();
                else for (LoraSet set : sets) set.close();
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** One benchmark batch: every style's instance and class row, fixed inputs. */
    /** The clip-and-step of one step, and one trained tensor to read back (a sync point). */
    private record Optimizer(NDArray first, Runnable step) {}

    private record Batch(NDManager manager, UNet2DConditionModel unet, DreamBoothObjective objective, Optimizer optimizer,
            EngineDevice device, long[] timesteps, NDArray latents, NDArray noise, NDArray context) {

        /** One step, ending with one host read as the trainer's loss read does. */
        void step() {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    collector.backward(totalLoss());
                }
                optimize();
                readOne(optimizer.first());
            }
        }

        /** Milliseconds of each phase of one step, each waited for before the next starts. */
        Phases phases() {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                long began = System.nanoTime();
                long forwardDone;
                long backwardDone;
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    NDArray loss = totalLoss();
                    loss.getFloat();
                    forwardDone = System.nanoTime();
                    collector.backward(loss);
                    try (NDArray g = AdamW.gradientOrNull(optimizer.first())) {
                        readOne(g);
                    }
                    backwardDone = System.nanoTime();
                }
                optimize();
                readOne(optimizer.first());
                long done = System.nanoTime();
                return new Phases((forwardDone - began) / 1e6, (backwardDone - forwardDone) / 1e6, (done - backwardDone) / 1e6);
            }
        }

        private NDArray totalLoss() {
            NDArray t = manager.create(timesteps).toDevice(device.device(), false);
            NDArray total = null;
            for (DreamBoothObjective.Loss l : objective.losses((x, tt, c) -> unet.forward(x, t, c), latents, noise, timesteps,
                    context, device.dtype(), 2)) {
                total = total == null ? l.total() : total.add(l.total());
            }
            return total;
        }

        /** Reads one value of {@code array} back to the host: everything queued before it has run. */
        private static void readOne(NDArray array) {
            try (NDArray first = array.flatten().get(0)) {
                first.getFloat();
            }
        }

        private void optimize() {
            optimizer.step().run();
        }
    }

    /** Resets the kernel's peak-RSS counter (VmHWM) so the next reading covers only what follows. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux or not permitted: the peak then covers the whole process lifetime
        }
    }

    private static double peakRssGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return kb / (1024.0 * 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** The rows as a plain-text table. */
    public static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-16s %6s %6s %5s %6s %12s %10s  %s%n", "training step", "size", "batch", "rank",
                "steps", "ms/step", "peak GiB", "peak is"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-16s %6d %6d %5d %6d %12.1f %10.2f  %s%n", r.device(), r.size(), r.batch(),
                    r.rank(), r.steps(), r.msPerStep(), r.peakGiB(), r.peakKind()));
        }
        return out.toString();
    }
}

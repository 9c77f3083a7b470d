package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.SeededNoise;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.PredictionType;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.weights.SafetensorsWriter;

/**
 * A closed-form stand-in for Stable Diffusion, for testing the training loop's mechanics (draws,
 * checkpoints, resume, cancellation, outputs) in milliseconds: the "VAE" average-pools 8x8 blocks,
 * the "text encoder" hashes the prompt, and the "UNet" is a per-pixel channel mix {@code W0 + s·B·A}
 * plus the prompt's mean embedding, with a real LoRA pair (A, B) to train. Parity with diffusers is
 * tested on the real tiny model elsewhere.
 */
final class AnalyticTrainableModel implements TrainableModel {

    private final NDManager manager = NDManager.newBaseManager();
    private final NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.V_PREDICTION));
    private final NDArray base = manager.eye(4).mul(0.5f);
    private NDArray loraA;
    private NDArray loraB;
    private float scale;
    private boolean enabled = true;
    int generated;

    @Override
    public EngineDevice device() {
        return EngineDevice.cpu();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public int defaultSize() {
        return 64;
    }

    @Override
    public double latentScalingFactor() {
        return 0.18215;
    }

    @Override
    public NDArray[] encodeLatentDistribution(NDArray images) {
        long b = images.getShape().get(0);
        long h = images.getShape().get(2) / 8;
        long w = images.getShape().get(3) / 8;
        NDArray pooled = images.reshape(b, 3, h, 8, w, 8).sum(new int[] {3, 5}).div(64f);
        NDArray mean = NDArrays.concat(new NDList(pooled, pooled.get(":, 0:1").mul(-1f)), 1);
        NDArray logvar = mean.zerosLike().sub(4f);
        return new NDArray[] {mean, logvar};
    }

    @Override
    public NDArray encodePrompts(List<String> prompts) {
        NDList rows = new NDList();
        for (String p : prompts) {
            rows.add(manager.create(SeededNoise.normal(p.hashCode(), 77 * 8), new Shape(1, 77, 8)));
        }
        return NDArrays.concat(rows, 0);
    }

    @Override
    public NDArray predict(NDArray noisy, long[] timesteps, NDArray context) {
        NDArray mix = base;
        if (enabled && loraA != null) mix = base.add(loraB.matMul(loraA).mul(scale));
        NDArray pixels = noisy.transpose(0, 2, 3, 1).matMul(mix.transpose()).transpose(0, 3, 1, 2);
        NDArray bias = context.mean(new int[] {1}).mean(new int[] {1}).reshape(-1, 1, 1, 1);
        return pixels.add(bias);
    }

    @Override
    public List<AdapterParameters> attachLora(int styles, int rank, double alpha, boolean dora, List<String> targets, int textRank,
            double textAlpha, long seed) {
        if (dora) throw new UnsupportedOperationException("the analytic model has no weight for DoRA to decompose");
        if (textRank > 0) throw new UnsupportedOperationException("the analytic model has no text encoder to adapt");
        if (styles != 1) throw new UnsupportedOperationException("the analytic model trains one style (board runs are tested on the tiny model)");
        float bound = (float) (1 / Math.sqrt(4));
        float[] a = SeededNoise.normal(seed, rank * 4);
        for (int i = 0; i < a.length; i++) a[i] = Math.max(-bound, Math.min(bound, a[i] * bound / 2));
        loraA = manager.create(a, new Shape(rank, 4));
        loraB = manager.zeros(new Shape(4, rank));
        loraA.setRequiresGradient(true);
        loraB.setRequiresGradient(true);
        scale = (float) (alpha / rank);
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("mix.lora_A.default.weight", loraA);
        params.put("mix.lora_B.default.weight", loraB);
        return List.of(new AdapterParameters(params, Map.of()));
    }

    @Override
    public Map<String, NDArray> styleStacks() {
        throw new IllegalStateException("the analytic model trains one style, so nothing is stacked");
    }

    @Override
    public void routeRows(int[] rowStyles) {
        // one style: every row uses it
    }

    @Override
    public void useStyle(int style) {
        // one style
    }

    @Override
    public void setAdaptersEnabled(boolean value) {
        enabled = value;
    }

    @Override
    public void saveLora(int style, Path file, Map<String, String> metadata) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("unet.mix.lora.down.weight", loraA);
        tensors.put("unet.mix.lora.up.weight", loraB);
        SafetensorsWriter.write(file, tensors, metadata);
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long[] seeds, int steps, double guidanceScale, int size,
            StepListener listener) {
        List<BufferedImage> images = new java.util.ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) images.add(image(prompts.get(i), seeds[i], steps, size, listener));
        return images;
    }

    private BufferedImage image(String prompt, long seed, int steps, int size, StepListener listener) {
        generated++;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int rgb = (prompt.hashCode() * 31 + (int) seed) & 0xFFFFFF;
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) image.setRGB(x, y, (x * 4 < size) ? rgb : ~rgb & 0xFFFFFF);
        for (int s = 1; s <= steps; s++) listener.onStep(StepReport.of("generating", s, steps, 0));
        return image;
    }

    @Override
    public void close() {
        manager.close();
    }
}

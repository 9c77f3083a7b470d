package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.schedulers.NoiseSchedule;

/**
 * The DreamBooth loss with prior preservation, as diffusers' {@code train_dreambooth_lora.py} computes
 * it: noise the latents at the drawn timesteps, predict with the UNet, and compare with the target the
 * scheduler's prediction type asks for (the noise for epsilon, the velocity for v-prediction) by MSE in
 * fp32: {@code mse(instance rows) + priorWeight * mse(class rows)}. Row 0 is the instance sample and,
 * with a prior, row 1 the class sample.
 */
public final class DreamBoothObjective {

    /** The UNet as the objective sees it: a noise (or velocity) prediction per batch row. */
    @FunctionalInterface
    public interface Denoiser {
        NDArray predict(NDArray noisyLatents, long[] timesteps, NDArray encoderHiddenStates);
    }

    /** The loss to back-propagate and its two parts (scalars, fp32). */
    public record Loss(NDArray total, NDArray instance, NDArray prior) {}

    private final NoiseSchedule schedule;
    private final double priorWeight;

    public DreamBoothObjective(NoiseSchedule schedule, double priorWeight) {
        if (!(priorWeight >= 0)) throw new IllegalArgumentException("prior loss weight must be >= 0: " + priorWeight);
        this.schedule = schedule;
        this.priorWeight = priorWeight;
    }

    /**
     * @param latents clean latents, fp32 {@code [B, 4, h, w]} (B = 2 with a prior, else 1)
     * @param noise standard normal noise like {@code latents}
     * @param timesteps one training timestep per row
     * @param encoderHiddenStates prompt embeddings, {@code [B, 77, D]} in the UNet's dtype
     * @param modelType the dtype the UNet runs in (fp16 on CUDA)
     */
    public Loss loss(Denoiser unet, NDArray latents, NDArray noise, long[] timesteps, NDArray encoderHiddenStates,
            DataType modelType) {
        long rows = latents.getShape().get(0);
        boolean withPrior = rows == 2;
        if (rows != 1 && rows != 2) throw new IllegalArgumentException("a DreamBooth batch has 1 or 2 rows, got " + rows);
        if (withPrior && priorWeight == 0) throw new IllegalArgumentException("a class row was given but the prior weight is 0");
        NDArray noisy = schedule.addNoise(latents, noise, timesteps);
        NDArray target = schedule.trainingTarget(latents, noise, timesteps);
        NDArray input = noisy.getDataType() == modelType ? noisy : noisy.toType(modelType, false);
        NDArray prediction = Casts.to(unet.predict(input, timesteps, encoderHiddenStates), DataType.FLOAT32);
        if (!withPrior) {
            NDArray mse = prediction.sub(target).square().mean();
            return new Loss(mse, mse, null);
        }
        NDArray instance = mse(prediction, target, 0);
        NDArray prior = mse(prediction, target, 1);
        NDArray total = instance.add(prior.mul((float) priorWeight));
        return new Loss(total, instance, prior);
    }

    private static NDArray mse(NDArray prediction, NDArray target, int row) {
        NDIndex index = new NDIndex("{}:{}", row, row + 1);
        return prediction.get(index).sub(target.get(index)).square().mean();
    }
}

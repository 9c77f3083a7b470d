package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.schedulers.NoiseSchedule;

/**
 * The DreamBooth loss with prior preservation, as diffusers' {@code train_dreambooth_lora.py} computes
 * it: noise the latents at the drawn timesteps, predict with the UNet, and compare with the target the
 * scheduler's prediction type asks for (the noise for epsilon, the velocity for v-prediction) by MSE in
 * fp32: {@code mse(instance rows) + priorWeight * mse(class rows)}. Row 0 is the instance sample and,
 * with a prior, row 1 the class sample; a board's batch repeats that pattern once per style.
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
        if (rows != 1 && rows != 2) throw new IllegalArgumentException("a DreamBooth batch has 1 or 2 rows, got " + rows);
        return losses(unet, latents, noise, timesteps, encoderHiddenStates, modelType, (int) rows).get(0);
    }

    /**
     * The losses of a board's batch, one per style: the batch is every style's rows in turn,
     * {@code rowsPerStyle} each (1, or 2 with a prior: instance then class). One UNet pass predicts
     * every row; each style's loss covers its own rows only.
     */
    public List<Loss> losses(Denoiser unet, NDArray latents, NDArray noise, long[] timesteps, NDArray encoderHiddenStates,
            DataType modelType, int rowsPerStyle) {
        long rows = latents.getShape().get(0);
        boolean withPrior = rowsPerStyle == 2;
        if (rowsPerStyle != 1 && rowsPerStyle != 2) throw new IllegalArgumentException("a style has 1 or 2 rows, got " + rowsPerStyle);
        if (rows % rowsPerStyle != 0) throw new IllegalArgumentException(rows + " rows do not split into styles of " + rowsPerStyle);
        if (withPrior && priorWeight == 0) throw new IllegalArgumentException("a class row was given but the prior weight is 0");
        NDArray noisy = schedule.addNoise(latents, noise, timesteps);
        NDArray target = schedule.trainingTarget(latents, noise, timesteps);
        NDArray input = noisy.getDataType() == modelType ? noisy : noisy.toType(modelType, false);
        NDArray prediction = Casts.to(unet.predict(input, timesteps, encoderHiddenStates), DataType.FLOAT32);
        List<Loss> out = new ArrayList<>();
        for (int first = 0; first < rows; first += rowsPerStyle) {
            NDArray instance = mse(prediction, target, first);
            if (!withPrior) {
                out.add(new Loss(instance, instance, null));
            } else {
                NDArray prior = mse(prediction, target, first + 1);
                out.add(new Loss(instance.add(prior.mul((float) priorWeight)), instance, prior));
            }
        }
        return out;
    }

    private static NDArray mse(NDArray prediction, NDArray target, int row) {
        NDIndex index = new NDIndex("{}:{}", row, row + 1);
        return prediction.get(index).sub(target.get(index)).square().mean();
    }
}

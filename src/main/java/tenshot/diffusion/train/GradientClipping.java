package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import tenshot.diffusion.nn.TorchKernels;

/**
 * Global grad-norm clipping as {@code torch.nn.utils.clip_grad_norm_} does it: the L2 norm over all
 * gradients together, and every gradient scaled by {@code min(1, maxNorm / (norm + 1e-6))}, in a few
 * multi-tensor kernels. The scale stays on the device, so clipping costs no host sync. (A board's
 * styles are clipped each by its own norm in {@link StackedAdamW}.)
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Clips the gradients of {@code params} in place and returns the total norm before clipping as a
     * scalar fp32 array (the caller owns it). Parameters without a gradient are ignored.
     */
    public static NDArray clipGlobalNorm(List<NDArray> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max grad norm must be positive: " + maxNorm);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDList grads = new NDList();
        try {
            for (NDArray p : params) {
                NDArray g = AdamW.gradientOrNull(p);
                if (g != null) grads.add(g);
            }
            if (grads.isEmpty()) throw new IllegalStateException("no parameter has a gradient to clip");
            return TorchKernels.clipGradNorm(grads, maxNorm);
        } finally {
            grads.close();
            JniUtils.setGradMode(gradMode);
        }
    }
}

package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import tenshot.diffusion.nn.TorchKernels;

/**
 * Global grad-norm clipping as {@code torch.nn.utils.clip_grad_norm_} does it: the L2 norm over all
 * gradients together, and every gradient scaled by {@code min(1, maxNorm / (norm + 1e-6))}, in a few
 * multi-tensor kernels. The scale stays on the device, so clipping costs no host sync. A board clips
 * every style by its own norm in one call.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Clips the gradients of {@code params} in place and returns the total norm before clipping as a
     * scalar fp32 array (the caller owns it). Parameters without a gradient are ignored.
     */
    public static NDArray clipGlobalNorm(List<NDArray> params, double maxNorm) {
        try (NDArray norms = clipEachGlobalNorm(List.of(params), maxNorm)) {
            return norms.get(0);
        }
    }

    /**
     * Clips each group of {@code groups} by its own global norm, as if {@link #clipGlobalNorm} ran on each
     * in turn, and returns the norms before clipping, {@code [groups]} (the caller owns it).
     */
    public static NDArray clipEachGlobalNorm(List<List<NDArray>> groups, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max grad norm must be positive: " + maxNorm);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDList grads = new NDList();
        int[] sizes = new int[groups.size()];
        try {
            for (int i = 0; i < groups.size(); i++) {
                int before = grads.size();
                for (NDArray p : groups.get(i)) {
                    NDArray g = AdamW.gradientOrNull(p);
                    if (g != null) grads.add(g);
                }
                sizes[i] = grads.size() - before;
                if (sizes[i] == 0) throw new IllegalStateException("no parameter has a gradient to clip");
            }
            return TorchKernels.clipGradNorms(grads, sizes, maxNorm);
        } finally {
            grads.close();
            JniUtils.setGradMode(gradMode);
        }
    }
}

package tenshot.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Element-wise activations of the engine's and the metric networks' layers. */
public final class Activations {

    private Activations() {}

    /** {@code x·sigmoid(x)} (SiLU / swish), one fused PyTorch kernel. */
    public static NDArray silu(NDArray x) {
        return TorchKernels.silu(x);
    }

    /** The exact, erf-based GELU: {@code x·Φ(x)}. */
    public static NDArray gelu(NDArray x) {
        return JniUtils.gelu((PtNDArray) x);
    }

    public static NDArray relu(NDArray x) {
        return JniUtils.relu((PtNDArray) x);
    }
}

package tenshot.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.nn.LinearAdapter;
import tenshot.diffusion.weights.Weights;

/**
 * A low-rank update of a linear layer: {@code y + scale · up(down(x))} with
 * {@code scale = alpha / rank · userScale}. {@code down} is {@code [rank, in]} (peft's {@code lora_A}),
 * {@code up} is {@code [out, rank]} ({@code lora_B}). The adapter's weights may be wider than the
 * layer (fp32 for training on an fp16 engine): like peft under autocast, they are cast to the
 * activations' dtype for the product, with a cast that keeps the gradient, so the fp32 weights learn.
 *
 * <p>With a {@code magnitude} ({@code [out]}, peft's {@code lora_magnitude_vector}) the update is DoRA's
 * weight decomposition: the layer computes {@code W' = m · (W + scale·up·down) / ‖W + scale·up·down‖}
 * (norm per output row) plus its bias. As in peft, the norm is a constant in backward (computed without
 * grad), so gradients reach {@code down}, {@code up} and {@code m} only through the numerator and the
 * ratio {@code m / ‖·‖}.
 */
public final class LoraAdapter implements LinearAdapter {

    private final NDArray down;
    private final NDArray up;
    private final NDArray magnitude;
    private final double alpha;
    private double userScale;
    private NDArray scaleTensor;
    /** DoRA's {@code m / ‖W + scale·up·down‖} while nothing is trained (it is then a constant). */
    private NDArray frozenRatio;

    public LoraAdapter(NDArray down, NDArray up, double alpha, double userScale) {
        this(down, up, null, alpha, userScale);
    }

    /** A DoRA adapter when {@code magnitude} ({@code [out]}) is given, else plain LoRA. */
    public LoraAdapter(NDArray down, NDArray up, NDArray magnitude, double alpha, double userScale) {
        if (down.getShape().dimension() != 2 || up.getShape().dimension() != 2
                || down.getShape().get(0) != up.getShape().get(1)) {
            throw new IllegalArgumentException("LoRA down " + down.getShape() + " and up " + up.getShape()
                    + " are not [rank, in] and [out, rank]");
        }
        if (magnitude != null && (magnitude.getShape().dimension() != 1 || magnitude.getShape().get(0) != up.getShape().get(0))) {
            throw new IllegalArgumentException("DoRA magnitude " + magnitude.getShape() + " is not [" + up.getShape().get(0) + "]");
        }
        this.down = down;
        this.up = up;
        this.magnitude = magnitude;
        this.alpha = alpha;
        setUserScale(userScale);
    }

    @Override
    public NDArray adapt(Linear base, NDArray input, NDArray output) {
        DataType compute = input.getDataType();
        NDArray a = Casts.to(down, compute);
        NDArray b = Casts.to(up, compute);
        NDArray delta = JniUtils.linear((PtNDArray) JniUtils.linear((PtNDArray) input, (PtNDArray) a, null), (PtNDArray) b, null);
        if (scaleTensor != null) delta = delta.mul(scaleTensor);
        if (magnitude == null) return output.add(delta);
        // peft's result + (ratio - 1)·(result - bias) + ratio·scale·lora, rearranged to need no host scalar.
        NDArray ratio = Casts.to(ratio(base), compute);
        if (base.bias() == null) return output.add(delta).mul(ratio);
        return output.sub(base.bias()).add(delta).mul(ratio).add(base.bias());
    }

    /** {@code m / ‖W + scale·up·down‖} per output row (fp32); the norm carries no gradient. */
    private NDArray ratio(Linear base) {
        if (frozenRatio != null) return frozenRatio;
        boolean trained = magnitude.hasGradient() || down.hasGradient() || up.hasGradient();
        NDArray norm = weightNorm(base.weight());
        NDArray ratio = magnitude.div(norm);
        if (!trained) frozenRatio = Weights.persistent(ratio);
        return ratio;
    }

    /** {@code ‖W + scale·up·down‖} per output row, in fp32, computed without grad. */
    NDArray weightNorm(NDArray weight) {
        return weightNorm(weight, down, up, scale());
    }

    /** {@code scale · up · down} in fp32, without grad. */
    NDArray delta32() {
        return delta32(down, up, scale());
    }

    static NDArray weightNorm(NDArray weight, NDArray down, NDArray up, double scale) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray merged = weight.toType(DataType.FLOAT32, false).add(delta32(down, up, scale));
            return merged.square().sum(new int[] {1}).sqrt();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static NDArray delta32(NDArray down, NDArray up, double scale) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return up.toType(DataType.FLOAT32, false).matMul(down.toType(DataType.FLOAT32, false)).mul((float) scale);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Sets the user scale (the {@code scale} of a generation request); 0 turns the adapter off in effect. */
    public void setUserScale(double userScale) {
        this.userScale = userScale;
        if (scaleTensor != null) scaleTensor.close();
        if (frozenRatio != null) frozenRatio.close();
        frozenRatio = null;
        double scale = scale();
        // A scale of exactly one needs no multiply; otherwise one scalar tensor, made once, not per call.
        scaleTensor = scale == 1.0 ? null
                : Weights.persistent(down.getManager().create((float) scale).toType(down.getDataType(), false));
    }

    /** {@code alpha / rank · userScale}. */
    public double scale() {
        return alpha / rank() * userScale;
    }

    public int rank() {
        return Math.toIntExact(down.getShape().get(0));
    }

    public double alpha() {
        return alpha;
    }

    public double userScale() {
        return userScale;
    }

    /** {@code [rank, in]}: peft {@code lora_A}, diffusers {@code lora.down}. */
    public NDArray down() {
        return down;
    }

    /** {@code [out, rank]}: peft {@code lora_B}, diffusers {@code lora.up}. */
    public NDArray up() {
        return up;
    }

    /** {@code [out]}: DoRA's magnitude (peft {@code lora_magnitude_vector}), or null for plain LoRA. */
    public NDArray magnitude() {
        return magnitude;
    }

    public boolean isDora() {
        return magnitude != null;
    }

    void close() {
        if (scaleTensor != null) scaleTensor.close();
        if (frozenRatio != null) frozenRatio.close();
        down.close();
        up.close();
        if (magnitude != null) magnitude.close();
    }
}

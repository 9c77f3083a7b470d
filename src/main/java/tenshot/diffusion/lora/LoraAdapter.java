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
 */
public final class LoraAdapter implements LinearAdapter {

    private final NDArray down;
    private final NDArray up;
    private final double alpha;
    private double userScale;
    private NDArray scaleTensor;

    public LoraAdapter(NDArray down, NDArray up, double alpha, double userScale) {
        if (down.getShape().dimension() != 2 || up.getShape().dimension() != 2
                || down.getShape().get(0) != up.getShape().get(1)) {
            throw new IllegalArgumentException("LoRA down " + down.getShape() + " and up " + up.getShape()
                    + " are not [rank, in] and [out, rank]");
        }
        this.down = down;
        this.up = up;
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
        return output.add(delta);
    }

    /** Sets the user scale (the {@code scale} of a generation request); 0 turns the adapter off in effect. */
    public void setUserScale(double userScale) {
        this.userScale = userScale;
        if (scaleTensor != null) scaleTensor.close();
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

    void close() {
        if (scaleTensor != null) scaleTensor.close();
        down.close();
        up.close();
    }
}

package tenshot.scoring.pth;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor rebuilt from a PyTorch checkpoint: safetensors dtype name ({@code F32}, {@code I64}, ...),
 * shape, and its elements packed contiguously in row-major order, little-endian.
 */
public record TorchTensor(String dtype, long[] shape, ByteBuffer data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public float[] toFloats() {
        if (!dtype.equals("F32")) throw new IllegalStateException("tensor is " + dtype + ", not F32");
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[Math.toIntExact(elementCount())];
        for (int i = 0; i < out.length; i++) out[i] = b.getFloat(i * 4);
        return out;
    }
}

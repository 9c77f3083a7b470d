package tenshot.diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each TorchScript kernel against the same math written with plain DJL ops: forward values and the
 * gradients autograd computes through the kernel.
 */
class TorchKernelsTest {

    private static float maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    /** The gradient of {@code sum(f(x) · r)} with respect to {@code x}, for a fixed random {@code r}. */
    private static NDArray gradient(Function<NDArray, NDArray> f, NDArray x, NDArray r) {
        NDArray leaf = x.duplicate();
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(f.apply(leaf).mul(r).sum());
        }
        return leaf.getGradient().duplicate();
    }

    private static NDArray compositeAttention(NDArray q, NDArray k, NDArray v) {
        double scale = 1 / Math.sqrt(q.getShape().get(3));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) scale);
        return JniUtils.softmax((PtNDArray) scores, -1, DataType.FLOAT32).matMul(v);
    }

    @Test
    void attentionForwardAndBackwardMatchTheComposite() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(2, 3, 64, 16));
            NDArray k = m.randomNormal(new Shape(2, 3, 77, 16));
            NDArray v = m.randomNormal(new Shape(2, 3, 77, 16));
            NDArray r = m.randomNormal(new Shape(2, 3, 64, 16));
            assertTrue(maxAbs(TorchKernels.attention(q, k, v), compositeAttention(q, k, v)) < 1e-5f);
            NDArray fused = gradient(x -> TorchKernels.attention(x, k, v), q, r);
            NDArray plain = gradient(x -> compositeAttention(x, k, v), q, r);
            assertTrue(maxAbs(fused, plain) < 1e-5f, "query gradient off by " + maxAbs(fused, plain));
            NDArray fusedV = gradient(x -> TorchKernels.attention(q, k, x), v, r);
            NDArray plainV = gradient(x -> compositeAttention(q, k, x), v, r);
            assertTrue(maxAbs(fusedV, plainV) < 1e-5f);
        }
    }

    @Test
    void groupNormWithSiluMatchesTheComposite() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 8, 5, 3)).mul(2).add(0.5f);
            NDArray w = m.randomNormal(new Shape(8));
            NDArray b = m.randomNormal(new Shape(8));
            NDArray r = m.randomNormal(new Shape(2, 8, 5, 3));
            Function<NDArray, NDArray> composite = in -> {
                NDArray g = in.reshape(2, 4, -1);
                NDArray mean = g.mean(new int[] {2}, true);
                NDArray var = g.sub(mean).square().mean(new int[] {2}, true);
                NDArray y = g.sub(mean).div(var.add(1e-5f).sqrt()).reshape(2, 8, 5, 3).mul(w.reshape(8, 1, 1)).add(b.reshape(8, 1, 1));
                return y.mul(ai.djl.nn.Activation.sigmoid(y));
            };
            Function<NDArray, NDArray> fused = in -> TorchKernels.groupNorm(in, 4, w, b, 1e-5, true);
            assertTrue(maxAbs(fused.apply(x), composite.apply(x)) < 1e-5f);
            assertTrue(maxAbs(gradient(fused, x, r), gradient(composite, x, r)) < 1e-4f);
        }
    }

    @Test
    void gegluAndCastKeepTheirGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(3, 10));
            NDArray r = m.randomNormal(new Shape(3, 5));
            Function<NDArray, NDArray> composite = in -> {
                NDList halves = in.split(2, 1);
                return halves.get(0).mul(Activations.gelu(halves.get(1)));
            };
            assertTrue(maxAbs(TorchKernels.geglu(x), composite.apply(x)) < 1e-6f);
            assertTrue(maxAbs(gradient(TorchKernels::geglu, x, r), gradient(composite, x, r)) < 1e-6f);

            NDArray half = gradient(in -> TorchKernels.cast(TorchKernels.cast(in, DataType.FLOAT16).mul(3f), DataType.FLOAT32),
                    x, m.ones(new Shape(3, 10)));
            assertEquals(DataType.FLOAT32, half.getDataType());
            assertTrue(maxAbs(half, m.full(new Shape(3, 10), 3f)) == 0f);
        }
    }

    @Test
    void clipGradNormScalesByTheGlobalNormOnlyAboveTheLimit() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(4, 3)).mul(2);
            NDArray b = m.randomNormal(new Shape(7));
            NDArray c = m.randomNormal(new Shape(5)).mul(0.01f); // under the limit: left as it is
            double norm = Math.sqrt(a.square().sum().getFloat() + b.square().sum().getFloat());
            double small = Math.sqrt(c.square().sum().getFloat());
            NDArray a0 = a.duplicate();
            NDArray b0 = b.duplicate();
            NDArray c0 = c.duplicate();
            try (NDArray total = TorchKernels.clipGradNorm(List.of(a, b), 1.0)) {
                assertEquals(norm, total.getFloat(), 1e-5 * norm);
            }
            try (NDArray total = TorchKernels.clipGradNorm(List.of(c), 1.0)) {
                assertEquals(small, total.getFloat(), 1e-5 * small);
            }
            float coefficient = (float) (1.0 / (norm + 1e-6));
            assertTrue(maxAbs(a, a0.mul(coefficient)) < 1e-6f);
            assertTrue(maxAbs(b, b0.mul(coefficient)) < 1e-6f);
            assertTrue(maxAbs(c, c0) == 0f);
            assertNull(a.getName(), "the kernel call leaves the inputs' names as they were");
        }
    }
}

package tenshot.diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.diffusion.weights.Weights;

class NnOpsTest {

    @TempDir Path dir;

    private static float maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void groupNormMatchesTheDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 2, c = 6, h = 3, w = 4, groups = 3;
            NDArray x = m.randomNormal(new Shape(n, c, h, w)).mul(3).add(1);
            NDArray gamma = m.randomNormal(new Shape(c));
            NDArray beta = m.randomNormal(new Shape(c));
            Path file = dir.resolve("gn.safetensors");
            SafetensorsWriter.write(file, Map.of("norm.weight", gamma, "norm.bias", beta), Map.of());
            GroupNorm norm = new GroupNorm(Weights.checkpoint(EngineDevice.cpu(), m, file).sub("norm"), groups, c, 1e-5);

            NDArray g = x.reshape(n, groups, -1);
            NDArray mean = g.mean(new int[] {2}, true);
            NDArray var = g.sub(mean).square().mean(new int[] {2}, true);
            NDArray expected = g.sub(mean).div(var.add(1e-5).sqrt()).reshape(n, c, h, w)
                    .mul(gamma.reshape(c, 1, 1)).add(beta.reshape(c, 1, 1));
            assertTrue(maxAbs(norm.forward(x), expected) < 1e-5f);
        }
    }

    @Test
    void attentionIsSoftmaxOfScaledScoresTimesValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(1, 2, 3, 4));
            NDArray k = m.randomNormal(new Shape(1, 2, 5, 4));
            NDArray v = m.randomNormal(new Shape(1, 2, 5, 4));
            NDArray expected = q.matMul(k.transpose(0, 1, 3, 2)).mul(0.5f).softmax(-1).matMul(v);
            assertTrue(maxAbs(Attention.scaledDotProduct(q, k, v), expected) < 1e-6f);
            NDArray hot = q.matMul(k.transpose(0, 1, 3, 2)).mul(0.75f).softmax(-1).matMul(v);
            assertTrue(maxAbs(Attention.scaledDotProduct(q, k, v, 0.75), hot) < 1e-6f);

            NDArray self = m.randomNormal(new Shape(1, 2, 5, 4));
            float[] mask = new float[25];
            for (int i = 0; i < 5; i++) for (int j = i + 1; j < 5; j++) mask[i * 5 + j] = Float.NEGATIVE_INFINITY;
            NDArray causal = self.matMul(k.transpose(0, 1, 3, 2)).mul(0.5f).add(m.create(mask, new Shape(5, 5))).softmax(-1).matMul(v);
            assertTrue(maxAbs(Attention.causal(self, k, v), causal) < 1e-6f);

            NDArray merged = Attention.mergeHeads(Attention.splitHeads(m.arange(24f).reshape(1, 3, 8), 2));
            assertArrayEquals(m.arange(24f).toFloatArray(), merged.toFloatArray());
        }
    }

    @Test
    void nearestUpsampleRepeatsEachPixel() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray up = Resample.nearest2x(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2)));
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.toFloatArray());
            // torch nearest to an odd size takes source index floor(i * in / out): 3 -> 5 reads 0,0,1,1,2.
            NDArray odd = Resample.nearest(m.create(new float[] {1, 2, 3}, new Shape(1, 1, 1, 3)), 1, 5);
            assertArrayEquals(new float[] {1, 1, 2, 2, 3}, odd.toFloatArray());
        }
    }

    @Test
    void linearAppliesAdaptersAndCastsKeepTheGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear linear = new Linear(Weights.random(EngineDevice.cpu(), m, 3).sub("proj"), 4, 2, true);
            NDArray x = m.randomNormal(new Shape(3, 4));
            NDArray base = linear.forward(x);
            linear.addAdapter((layer, input, output) -> output.add(1f));
            assertTrue(maxAbs(linear.forward(x), base.add(1f)) < 1e-6f);
            linear.clearAdapters();

            NDArray p = m.randomNormal(new Shape(3)).toType(DataType.FLOAT16, false);
            p.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray up = Casts.to(p, DataType.FLOAT32);
                NDArray down = Casts.to(up.mul(2f), DataType.FLOAT16);
                assertEquals(DataType.FLOAT32, up.getDataType());
                assertEquals(DataType.FLOAT16, down.getDataType());
                collector.backward(Casts.to(down, DataType.FLOAT32).sum());
            }
            assertNotNull(p.getGradient());
            assertArrayEquals(new float[] {2, 2, 2}, p.getGradient().toType(DataType.FLOAT32, false).toFloatArray());
        }
    }
}

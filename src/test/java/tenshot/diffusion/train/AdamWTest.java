package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

class AdamWTest {

    /** Makes each parameter's gradient exactly {@code g} by back-propagating sum(p * g). */
    static void setGradients(NDManager manager, Map<String, NDArray> params, Map<String, float[]> grads) {
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray total = null;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = manager.create(grads.get(e.getKey()), e.getValue().getShape());
                NDArray term = e.getValue().mul(g).sum();
                total = total == null ? term : total.add(term);
            }
            collector.backward(total);
        }
    }

    @Test
    void oneClippedStepMatchesTorchAdamWOnTheGoldenLora() throws Exception {
        GoldenTensors initial = new GoldenTensors(Fixtures.golden("lora/pytorch_lora_weights.safetensors"));
        GoldenTensors step = new GoldenTensors(Fixtures.golden("train_step.safetensors"));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, float[]> grads = new LinkedHashMap<>();
            Map<String, String> diffusersByPeft = new LinkedHashMap<>();
            for (Map.Entry<String, GoldenTensors.Tensor> e : initial.all().entrySet()) {
                String diffusers = e.getKey().substring("unet.".length());
                String peft = GoldenTensors.peftName(diffusers);
                NDArray p = e.getValue().toArray(manager);
                p.setRequiresGradient(true);
                params.put(peft, p);
                grads.put(peft, step.get("grad." + peft).floats());
                diffusersByPeft.put(peft, diffusers);
            }
            assertEquals(256, params.size());
            setGradients(manager, params, grads);

            try (AdamW adamW = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2), manager)) {
                adamW.addGroup(params, 1e-4);
                try (NDArray norm = GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0)) {
                    float expected = step.get("grad_norm_before_clip").floats()[0];
                    assertEquals(expected, norm.getFloat(), 1e-5 * Math.max(1, expected));
                }
                adamW.step(1.0);
                assertEquals(1, adamW.stepCount());
            }
            double worst = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                float[] actual = e.getValue().toFloatArray();
                float[] expected = step.get("after_step." + diffusersByPeft.get(e.getKey())).floats();
                for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            }
            assertTrue(worst <= 1e-6, "max abs difference after one AdamW step: " + worst);
        }
    }

    @Test
    void momentsAccumulateOverStepsAsTorchComputesThem() {
        // Two steps by hand from torch's formulas for a single scalar with constant gradient 0.5.
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray p = manager.create(new float[] {1.0f});
            p.setRequiresGradient(true);
            try (AdamW adamW = new AdamW(new AdamW.Settings(0.9, 0.99, 1e-3, 0.1), manager)) {
                adamW.addGroup(Map.of("p", p), 0.01);
                double expected = 1.0;
                double m = 0;
                double v = 0;
                for (int t = 1; t <= 2; t++) {
                    adamW.zeroGradients();
                    setGradients(manager, Map.of("p", p), Map.of("p", new float[] {0.5f}));
                    adamW.step(t == 1 ? 1.0 : 0.5);
                    double lr = 0.01 * (t == 1 ? 1.0 : 0.5);
                    expected *= 1 - lr * 0.1;
                    m = 0.9 * m + 0.1 * 0.5;
                    v = 0.99 * v + 0.01 * 0.25;
                    double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.99, t)) + 1e-3;
                    expected -= lr / (1 - Math.pow(0.9, t)) * m / denom;
                    assertEquals(expected, p.getFloat(), 1e-6, "after step " + t);
                }
                Map<String, NDArray> state = adamW.stateTensors();
                assertEquals(m, state.get("exp_avg.p").getFloat(), 1e-7);
                assertEquals(v, state.get("exp_avg_sq.p").getFloat(), 1e-7);
            }
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray p = manager.create(new float[] {1f, 2f});
            p.setRequiresGradient(true);
            try (AdamW adamW = new AdamW(AdamW.Settings.torchDefaults(), manager)) {
                adamW.addGroup(Map.of("p", p), 1e-3);
                adamW.zeroGradients(); // no gradient yet: nothing to clear, no error
                setGradients(manager, Map.of("p", p), Map.of("p", new float[] {1f, 1f}));
                setGradients(manager, Map.of("p", p), Map.of("p", new float[] {1f, 1f}));
                try (NDArray g = JniUtils.getGradient((PtNDArray) p)) {
                    assertEquals(2f, g.toFloatArray()[0]);
                }
                adamW.zeroGradients();
                try (NDArray g = JniUtils.getGradient((PtNDArray) p)) {
                    assertEquals(0f, g.toFloatArray()[1]);
                }
            }
        }
    }

    @Test
    void clippingScalesOnlyAboveTheLimit() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f});
            NDArray b = manager.create(new float[] {0f, 4f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("a", a);
            params.put("b", b);
            setGradients(manager, params, Map.of("a", new float[] {3f}, "b", new float[] {0f, 4f}));
            try (NDArray norm = GradientClipping.clipGlobalNorm(List.of(a, b), 10.0)) {
                assertEquals(5f, norm.getFloat(), 1e-6);
            }
            try (NDArray g = JniUtils.getGradient((PtNDArray) b)) {
                assertEquals(4f, g.toFloatArray()[1], 1e-6);
            }
            try (NDArray norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0)) {
                assertEquals(5f, norm.getFloat(), 1e-6);
            }
            try (NDArray g = JniUtils.getGradient((PtNDArray) b)) {
                assertEquals(4f / (5f + 1e-6f), g.toFloatArray()[1], 1e-6);
            }
        }
    }

    @Test
    void warmupRampsLinearlyLikeDiffusersConstantWithWarmup() {
        LearningRateSchedule schedule = new LearningRateSchedule(4);
        assertEquals(0.0, schedule.factor(0));
        assertEquals(0.5, schedule.factor(2));
        assertEquals(1.0, schedule.factor(4));
        assertEquals(1.0, schedule.factor(100));
        assertEquals(1.0, LearningRateSchedule.constant().factor(0));
    }
}

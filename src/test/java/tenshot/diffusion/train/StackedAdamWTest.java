package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StackedAdamWTest {

    private static final Shape[] SHAPES = {new Shape(1, 3), new Shape(2, 2)};
    /** Gradients per step, style and parameter: style 0 is over the clipping limit, style 1 under it. */
    private static final float[][][] GRADS = {
        {{3f, -4f, 0.5f}, {1f, 2f, -2f, 0.5f}},
        {{0.01f, 0.02f, -0.03f}, {0f, 0.01f, 0.02f, -0.01f}},
    };
    /**
     * Two styles stacked on a leading axis, clipped and stepped together, then style 1 alone, must equal
     * each style clipped by its own norm and stepped by its own AdamW (to rounding: the norms are reduced
     * in another order); style 0 sits out the last step untouched, and each style's checkpoint state is
     * its own. With equal rates the first two steps are one fused update of the whole stacks.
     */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.5})
    void stylesSteppedTogetherEqualStylesSteppedOneByOne(double secondFactor) {
        double[] FACTORS = {1.0, secondFactor};
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> stacks = new LinkedHashMap<>();
            for (int j = 0; j < SHAPES.length; j++) {
                NDArray stack = NDArrays.stack(new NDList(initial(manager, j, 0), initial(manager, j, 1)));
                stack.setRequiresGradient(true);
                stacks.put("p" + j, stack);
            }
            Map<String, Map<String, float[]>> aloneMoments = new LinkedHashMap<>();
            float[][][] alone = new float[2][][];
            long[] aloneSteps = new long[2];
            for (int s = 0; s < 2; s++) {
                Map<String, NDArray> params = new LinkedHashMap<>();
                for (int j = 0; j < SHAPES.length; j++) {
                    NDArray p = initial(manager, j, s);
                    p.setRequiresGradient(true);
                    params.put("p" + j, p);
                }
                try (AdamW adamW = new AdamW(AdamW.Settings.torchDefaults(), manager)) {
                    adamW.addGroup(params, 0.1);
                    int steps = s == 0 ? 2 : 3;
                    for (int step = 0; step < steps; step++) {
                        AdamWTest.setGradients(manager, params, grads(s));
                        GradientClipping.clipGlobalNorm(adamW.parameters(), 1.0).close();
                        adamW.step(FACTORS[s]);
                    }
                    alone[s] = params.values().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
                    aloneMoments.put("style " + s, floats(adamW.stateTensors()));
                    aloneSteps[s] = adamW.stepCount();
                }
            }

            try (StackedAdamW stacked = new StackedAdamW(AdamW.Settings.torchDefaults(), stacks, 0.1, manager)) {
                for (int step = 0; step < 3; step++) {
                    int[] styles = step < 2 ? new int[] {0, 1} : new int[] {1};
                    double[] factors = step < 2 ? FACTORS : new double[] {FACTORS[1]};
                    setStackedGradients(manager, stacks);
                    try (NDArray norms = stacked.step(styles, factors, 1.0)) {
                        assertEquals(2, norms.size());
                        if (step < 2) assertEquals(Math.sqrt(25.25 + 9.25), norms.getFloat(0), 1e-5);
                    }
                }
                for (int s = 0; s < 2; s++) {
                    for (int j = 0; j < SHAPES.length; j++) {
                        assertClose(alone[s][j], stacks.get("p" + j).get(s).toFloatArray(), "style " + s + " p" + j);
                    }
                    OptimizerState state = stacked.style(s);
                    assertEquals(aloneSteps[s], state.stepCount());
                    Map<String, float[]> moments = floats(state.stateTensors());
                    assertEquals(aloneMoments.get("style " + s).keySet(), moments.keySet());
                    for (String key : moments.keySet()) {
                        assertClose(aloneMoments.get("style " + s).get(key), moments.get(key), "style " + s + " " + key);
                    }
                }
                assertNotEquals(alone[0][0][0], alone[1][0][0], "the two styles moved apart");

                // a checkpoint's moments load into the style's slice and nowhere else
                Map<String, float[]> swapped = floats(stacked.style(1).stateTensors());
                Map<String, float[]> untouched = floats(stacked.style(0).stateTensors());
                Map<String, float[]> zeros = new LinkedHashMap<>();
                swapped.forEach((k, v) -> zeros.put(k, new float[v.length]));
                stacked.style(1).loadState(zeros, 7);
                assertEquals(7, stacked.style(1).stepCount());
                floats(stacked.style(1).stateTensors()).forEach((k, v) -> assertArrayEquals(new float[v.length], v, k));
                floats(stacked.style(0).stateTensors()).forEach((k, v) -> assertArrayEquals(untouched.get(k), v, k));
            }
        }
    }

    /** Equal to rounding: within 1e-6 of the larger of 1 and the value's magnitude. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double bound = 1e-6 * Math.max(1, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= bound, what + "[" + i + "]: " + actual[i] + " against " + expected[i]);
        }
    }

    private static NDArray initial(NDManager manager, int param, int style) {
        float[] values = new float[(int) SHAPES[param].size()];
        for (int i = 0; i < values.length; i++) values[i] = 1f + i + 0.25f * style + param;
        return manager.create(values, SHAPES[param]);
    }

    private static Map<String, float[]> grads(int style) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int j = 0; j < SHAPES.length; j++) out.put("p" + j, GRADS[style][j]);
        return out;
    }

    private static void setStackedGradients(NDManager manager, Map<String, NDArray> stacks) {
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (int j = 0; j < SHAPES.length; j++) {
            float[] both = new float[2 * GRADS[0][j].length];
            System.arraycopy(GRADS[0][j], 0, both, 0, GRADS[0][j].length);
            System.arraycopy(GRADS[1][j], 0, both, GRADS[0][j].length, GRADS[1][j].length);
            grads.put("p" + j, both);
        }
        AdamWTest.setGradients(manager, stacks, grads);
    }

    private static Map<String, float[]> floats(Map<String, NDArray> tensors) {
        Map<String, float[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}

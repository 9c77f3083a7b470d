package tenshot.diffusion.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.testing.Fixtures;

/**
 * Routing batch rows to styles computes, row for row, what each style's own LoRA computes alone: the
 * forward output and the gradient of every style's adapters.
 */
class StyleAdaptersTest {

    private static List<LoraSet> threeStyles(UNet2DConditionModel unet, NDManager m) {
        List<LoraSet> styles = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            LoraSet set = LoraSet.createTrainable(List.of(new LoraSpec("unet", unet.linears(), LoraSpec.UNET_ATTENTION, 4, 4)), 11 + s, m);
            // give every style a non-zero, different up projection
            for (LoraSet.Attached a : set.attached()) a.adapter().up().addi(m.randomNormal(a.adapter().up().getShape()).mul(0.05f * (s + 1)));
            set.detach();
            styles.add(set);
        }
        return styles;
    }

    @Test
    void eachRowSeesOnlyItsStyleForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            List<LoraSet> styles = threeStyles(unet, m);
            int[] rowStyles = {2, 0, 2, 1};
            NDArray x = m.randomNormal(new Shape(4, 4, 8, 8));
            NDArray t = m.create(new long[] {10, 500, 700, 999});
            NDArray context = m.randomNormal(new Shape(4, 77, 32));
            NDArray r = m.randomNormal(new Shape(4, 4, 8, 8));

            // each style alone, on its own rows
            List<NDArray> expectedRows = new ArrayList<>();
            List<List<NDArray>> expectedGrads = new ArrayList<>();
            for (int s = 0; s < 3; s++) expectedGrads.add(null);
            for (int n = 0; n < 4; n++) {
                LoraSet style = styles.get(rowStyles[n]);
                style.setEnabled(true);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    String row = n + ":" + (n + 1);
                    NDArray out = unet.forward(x.get(row), t.get(row), context.get(row));
                    expectedRows.add(out.duplicate());
                    c.backward(out.mul(r.get(row)).sum());
                }
                style.setEnabled(false);
            }
            for (int s = 0; s < 3; s++) expectedGrads.set(s, gradients(styles.get(s)));
            for (LoraSet style : styles) zeroGradients(style);

            try (StyleAdapters routed = StyleAdapters.attach(styles, m)) {
                routed.route(rowStyles);
                NDArray out;
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    out = unet.forward(x, t, context);
                    c.backward(out.mul(r).sum());
                }
                NDArray expected = NDArrays.concat(new NDList(expectedRows));
                float error = out.sub(expected).abs().max().getFloat();
                assertTrue(error < 1e-5f, "routed forward off by " + error);
                for (int s = 0; s < 3; s++) {
                    List<NDArray> grads = gradients(routed, s);
                    for (int i = 0; i < grads.size(); i++) {
                        // the parity bar for gradients; a style with two rows sums them in one backward pass here
                        // and over two there, so the rounding differs
                        float g = grads.get(i).sub(expectedGrads.get(s).get(i)).abs().max().getFloat();
                        assertTrue(g <= 1e-5f, "style " + s + " gradient " + i + " off by " + g);
                    }
                }
                // a style no row uses gets a zero gradient
                for (NDArray stack : routed.stacks().values()) JniUtils.zeroGrad((PtNDArray) stack);
                routed.route(new int[] {1, 1, 2, 2});
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    c.backward(unet.forward(x, t, context).sum());
                }
                assertEquals(0f, gradients(routed, 0).get(0).abs().sum().getFloat());
                assertTrue(gradients(routed, 1).get(0).abs().sum().getFloat() > 0f);
            }
        }
    }

    private static List<NDArray> gradients(LoraSet set) {
        List<NDArray> out = new ArrayList<>();
        for (LoraSet.Parameter p : set.parameters()) {
            NDArray g = JniUtils.getGradient((PtNDArray) p.array());
            out.add(g == null ? p.array().zerosLike() : g.duplicate());
        }
        return out;
    }

    /** Style {@code style}'s slice of each stack's gradient, in the order of a style's parameters. */
    private static List<NDArray> gradients(StyleAdapters routed, int style) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray stack : routed.stacks().values()) out.add(JniUtils.getGradient((PtNDArray) stack).get(style));
        return out;
    }

    private static void zeroGradients(LoraSet set) {
        for (LoraSet.Parameter p : set.parameters()) {
            try (NDArray g = JniUtils.getGradient((PtNDArray) p.array())) {
                if (g != null) JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
    }
}

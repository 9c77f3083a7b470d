package tenshot.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/** The UNet's attention hook: named layers, a processor per layer, the default restored exactly. */
class AttentionProcessorTest {

    @Test
    void aProcessorRunsOnlyWhereItIsSetAndTheDefaultComesBackExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
            NDArray sample = golden.load("sample", m);
            NDArray timestep = golden.load("timestep", m);
            NDArray context = golden.load("encoder_hidden_states", m);
            float[] plain = unet.forward(sample, timestep, context).toFloatArray();

            // Two transformer layers per attention block of the tiny model: attn1 and attn2 in each.
            assertEquals(unet.linears().keySet().stream().filter(k -> k.endsWith(".to_q")).count(), unet.attentions().size());
            String name = "up_blocks.1.attentions.0.transformer_blocks.0.attn1";
            assertTrue(unet.attentions().containsKey(name), unet.attentions().keySet().toString());

            List<String> seen = new ArrayList<>();
            AttentionProcessor previous = unet.setAttentionProcessor(name, (layer, x, ctx) -> {
                seen.add(layer.name() + (ctx == null ? " self" : " cross"));
                return AttentionProcessor.DEFAULT.process(layer, x, ctx);
            });
            assertSame(AttentionProcessor.DEFAULT, previous);
            assertArrayEquals(plain, unet.forward(sample, timestep, context).toFloatArray(), "a delegating processor changes nothing");
            assertEquals(List.of(name + " self"), seen);

            unet.setAttentionProcessor(name, (layer, x, ctx) -> AttentionProcessor.DEFAULT.process(layer, x, ctx).mul(0));
            float[] silenced = unet.forward(sample, timestep, context).toFloatArray();
            double moved = 0;
            for (int i = 0; i < plain.length; i++) moved = Math.max(moved, Math.abs(plain[i] - silenced[i]));
            assertTrue(moved > 1e-3, "zeroing one attention layer must change the output, moved " + moved);

            unet.resetAttentionProcessors();
            assertArrayEquals(plain, unet.forward(sample, timestep, context).toFloatArray());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> unet.setAttentionProcessor("up_blocks.9.attn1", AttentionProcessor.DEFAULT));
            assertTrue(e.getMessage().contains("up_blocks.9.attn1"), e.getMessage());
        }
    }
}

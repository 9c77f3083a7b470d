package tenshot.diffusion.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.vae.AutoencoderKL;
import tenshot.diffusion.weights.Weights;

class DemoModelTest {

    @TempDir Path dir;

    @Test
    void writesALoadableSd21ShapedModelWithAGeneratedTokenizer() throws Exception {
        Path model = DemoModel.ensure(dir.resolve("demo"));
        assertTrue(Files.isRegularFile(model.resolve("model_index.json")));
        assertTrue(Files.readString(model.resolve("scheduler/scheduler_config.json")).contains("v_prediction"));
        assertEquals("#version: 0.2\n", Files.readString(model.resolve("tokenizer/merges.txt")));

        ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve("tokenizer"));
        assertEquals(DemoModel.VOCAB_SIZE, tokenizer.vocabSize());
        assertEquals(0, tokenizer.padId(), "SD 2 pads with '!' = id 0");
        int[] ids = tokenizer.encode("a cat");
        assertEquals(77, ids.length);
        assertEquals(tokenizer.bosId(), ids[0]);
        // "a" and "cat" become byte tokens, the last letter of each word in its </w> form.
        assertEquals(tokenizer.eosId(), ids[5]);

        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            EngineDevice cpu = EngineDevice.cpu();
            ClipTextModel text = ClipTextModel.load(model.resolve("text_encoder"), cpu, m);
            long[][] batch = tokenizer.encodeBatch(List.of("a cat", "a dog"));
            NDArray context = text.forward(m.create(batch));
            assertEquals(new Shape(2, 77, 32), context.getShape());

            UNet2DConditionModel unet = UNet2DConditionModel.load(model.resolve("unet"), cpu, m);
            NDArray out = unet.forward(m.randomNormal(new Shape(2, 4, 8, 8)), m.create(new long[] {999, 1}), context);
            assertEquals(new Shape(2, 4, 8, 8), out.getShape());
            assertTrue(Float.isFinite(out.abs().sum().getFloat()));

            AutoencoderKL vae = AutoencoderKL.load(model.resolve("vae"), cpu, m);
            assertEquals(new Shape(1, 3, 64, 64), vae.decode(m.randomNormal(new Shape(1, 4, 8, 8))).getShape());
            assertTrue(Weights.componentFolder(cpu, m, model.resolve("unet")).keys().size() > 600);
        }
        assertEquals(model, DemoModel.ensure(model), "an existing model is left alone");
    }

    @Test
    void refusesToWriteIntoANonEmptyFolder() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThrows(IllegalStateException.class, () -> DemoModel.write(dir, 1));
        assertTrue(Files.exists(dir.resolve("notes.txt")));
    }

    @Test
    void byteTokensFollowClipOrder() {
        List<String> tokens = DemoModel.byteTokens();
        assertEquals(256, tokens.size());
        assertEquals("!", tokens.get(0));
        assertEquals(String.valueOf((char) 256), tokens.get(188), "byte 0 maps to U+0100 after the 188 printable bytes");
        assertArrayEquals(new String[] {"a"}, new String[] {tokens.get('a' - '!')});
    }
}

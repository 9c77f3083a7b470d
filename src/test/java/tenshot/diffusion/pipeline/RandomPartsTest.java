package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.testing.Fixtures;

/** One seed convention for random weights: inference and training benchmarks draw the same model. */
class RandomPartsTest {

    @Test
    void aSeedDrawsTheSameWeightsEveryTimeAndEachPartItsOwn() {
        Path configs = Fixtures.tinySd21();
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            StableDiffusionLoader.Parts a = StableDiffusionLoader.randomParts(configs, configs.resolve("tokenizer"), EngineDevice.cpu(), m, 7);
            StableDiffusionLoader.Parts b = StableDiffusionLoader.randomParts(configs, configs.resolve("tokenizer"), EngineDevice.cpu(), m, 7);
            StableDiffusionLoader.Parts other = StableDiffusionLoader.randomParts(configs, configs.resolve("tokenizer"), EngineDevice.cpu(), m, 8);
            String layer = a.unet().linears().keySet().iterator().next();
            assertTrue(a.unet().linears().get(layer).weight().contentEquals(b.unet().linears().get(layer).weight()));
            assertNotEquals(a.unet().linears().get(layer).weight().getFloat(0, 0), other.unet().linears().get(layer).weight().getFloat(0, 0));
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> StableDiffusionLoader.randomParts(configs.resolve("unet"), configs.resolve("tokenizer"), EngineDevice.cpu(), m, 7));
            assertTrue(missing.getMessage().contains("text_encoder/config.json"), missing.getMessage());
        }
    }
}

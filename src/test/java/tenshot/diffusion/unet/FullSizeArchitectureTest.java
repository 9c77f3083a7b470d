package tenshot.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.text.ClipTextConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.vae.AutoencoderKL;
import tenshot.diffusion.vae.VaeConfig;
import tenshot.diffusion.weights.Weights;
import tenshot.testing.Fixtures;

/**
 * The real SD 2.1 configs build models with exactly the published parameter counts (UNet 865,910,724;
 * VAE 83,653,863; text encoder 340,387,840), using zero-memory weights.
 */
class FullSizeArchitectureTest {

    private static long count(Map<String, NDArray> tensors) {
        return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Test
    void sd21ConfigsGiveThePublishedParameterCounts() {
        Path configs = Fixtures.shared("fixtures/sd21-configs");
        try (NDManager m = NDManager.newBaseManager()) {
            EngineDevice cpu = EngineDevice.cpu();
            UNetConfig config = UNetConfig.read(configs.resolve("unet/config.json"));
            assertEquals(List.of(5, 10, 20, 20), config.numAttentionHeads());
            Map<String, NDArray> unet = new LinkedHashMap<>();
            UNet2DConditionModel model = new UNet2DConditionModel(Weights.zeros(cpu, m).recordingInto(unet), config);
            assertEquals(865_910_724L, count(unet));
            assertEquals(686, unet.size());
            assertEquals(16 * 2 * 4, model.linears().keySet().stream().filter(k -> k.matches(".*attn[12]\\.to_(q|k|v|out\\.0)")).count());

            Map<String, NDArray> vae = new LinkedHashMap<>();
            new AutoencoderKL(Weights.zeros(cpu, m).recordingInto(vae), VaeConfig.read(configs.resolve("vae/config.json")));
            assertEquals(83_653_863L, count(vae));

            Map<String, NDArray> text = new LinkedHashMap<>();
            new ClipTextModel(Weights.zeros(cpu, m).recordingInto(text),
                    ClipTextConfig.read(configs.resolve("text_encoder/config.json")));
            assertEquals(340_387_840L, count(text));
        }
    }
}

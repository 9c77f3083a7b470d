package tenshot.diffusion.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.testing.Fixtures;

class LoraSetTest {

    private static NDManager manager;
    private static UNet2DConditionModel unet;
    private static SafetensorsFile inputs;
    private static Path goldenLora;

    @TempDir Path dir;

    @BeforeAll
    static void loadModel() {
        manager = NDManager.newBaseManager();
        unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), manager);
        inputs = SafetensorsFile.open(Fixtures.golden("unet.safetensors"));
        goldenLora = Fixtures.golden("lora/pytorch_lora_weights.safetensors");
    }

    @AfterAll
    static void close() {
        if (manager != null) manager.close();
    }

    private NDArray forward(NDManager m) {
        return unet.forward(inputs.load("sample", m), inputs.load("timestep", m), inputs.load("encoder_hidden_states", m));
    }

    private static float maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private Map<String, Map<String, Linear>> components() {
        return Map.of("unet", unet.linears());
    }

    @Test
    void goldenLoraReproducesDiffusersOutput() {
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            NDArray base = forward(m);
            NDArray expected = SafetensorsFile.open(Fixtures.golden("unet_lora.safetensors")).load("out_with_lora", m);
            try (LoraSet lora = LoraSet.load(goldenLora, components(), 1.0, m, DataType.FLOAT32)) {
                assertEquals(128, lora.attached().size());
                float error = maxAbs(forward(m), expected);
                assertTrue(error <= 1e-4f, "UNet+LoRA max abs error " + error);
                lora.fuse();
                assertTrue(unet.linears().values().stream().allMatch(l -> l.adapters().isEmpty()), "fusing detaches");
                assertTrue(maxAbs(forward(m), expected) <= 1e-4f, "fused");
                lora.unfuse();
                lora.setEnabled(false);
                assertTrue(maxAbs(forward(m), base) <= 1e-6f, "disabled adapters leave the base model");
                lora.setEnabled(true);
                assertTrue(maxAbs(forward(m), expected) <= 1e-4f, "re-enabled");
                lora.setScale(0.0);
                assertTrue(maxAbs(forward(m), base) <= 1e-6f, "scale 0 leaves the base model");
            }
            assertTrue(maxAbs(forward(m), base) <= 1e-6f, "closing detaches the adapters");
        }
    }

    @Test
    void peftSpellingWithAlphaLoadsTheSameAdapters() {
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            SafetensorsFile golden = SafetensorsFile.open(goldenLora);
            Map<String, NDArray> peft = new LinkedHashMap<>();
            for (String key : golden.keys()) {
                String module = key.substring("unet.".length(), key.indexOf(".lora."));
                boolean down = key.endsWith("lora.down.weight");
                NDArray w = golden.load(key, m);
                // alpha 8 at rank 4 doubles the update; halve B so the product is unchanged.
                peft.put("base_model.model." + module + (down ? ".lora_A.default.weight" : ".lora_B.default.weight"),
                        down ? w : w.div(2));
                if (down) peft.put("base_model.model." + module + ".alpha", m.create(8f));
            }
            Path file = dir.resolve("peft.safetensors");
            SafetensorsWriter.write(file, peft, Map.of());
            NDArray expected = SafetensorsFile.open(Fixtures.golden("unet_lora.safetensors")).load("out_with_lora", m);
            try (LoraSet lora = LoraSet.load(file, components(), 1.0, m, DataType.FLOAT32)) {
                assertEquals(2.0, lora.attached().get(0).adapter().scale(), 1e-12);
                assertTrue(maxAbs(forward(m), expected) <= 1e-4f);
            }
        }
    }

    @Test
    void kohyaSpellingLoadsTheSameAdapters() {
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            SafetensorsFile golden = SafetensorsFile.open(goldenLora);
            Map<String, NDArray> kohya = new LinkedHashMap<>();
            for (String key : golden.keys()) {
                String module = key.substring("unet.".length(), key.indexOf(".lora."));
                boolean down = key.endsWith("lora.down.weight");
                String name = "lora_unet_" + module.replace('.', '_');
                kohya.put(name + (down ? ".lora_down.weight" : ".lora_up.weight"), golden.load(key, m));
                if (down) kohya.put(name + ".alpha", m.create(4f));
            }
            Path file = dir.resolve("kohya.safetensors");
            SafetensorsWriter.write(file, kohya, Map.of());
            NDArray expected = SafetensorsFile.open(Fixtures.golden("unet_lora.safetensors")).load("out_with_lora", m);
            try (LoraSet lora = LoraSet.load(file, components(), 1.0, m, DataType.FLOAT32)) {
                assertEquals(128, lora.attached().size());
                assertTrue(maxAbs(forward(m), expected) <= 1e-4f);
            }
        }
    }

    @Test
    void keysThatMatchNoModuleAreErrorsNamingTheKey() {
        try (NDManager m = manager.newSubManager()) {
            Path file = dir.resolve("bad.safetensors");
            String key = "unet.down_blocks.9.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight";
            SafetensorsWriter.write(file, Map.of(key, m.zeros(new ai.djl.ndarray.types.Shape(4, 32))), Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoraSet.load(file, components(), 1.0, m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains(key), e.getMessage());

            Path odd = dir.resolve("odd.safetensors");
            SafetensorsWriter.write(odd, Map.of("unet.conv_in.weight", m.zeros(new ai.djl.ndarray.types.Shape(1))), Map.of());
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> LoraSet.load(odd, components(), 1.0, m, DataType.FLOAT32)).getMessage().contains("unet.conv_in.weight"));
        }
    }

    @Test
    void textEncoderKeysInBothSpellingsAttachToTheProjections() {
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            ClipTextModel text = ClipTextModel.load(Fixtures.tinySd21().resolve("text_encoder"), EngineDevice.cpu(), m);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            String p = "text_encoder.text_model.encoder.layers.";
            tensors.put(p + "0.self_attn.q_proj.lora_linear_layer.down.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(2, 32)));
            tensors.put(p + "0.self_attn.q_proj.lora_linear_layer.up.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(32, 2)));
            tensors.put(p + "1.self_attn.out_proj.lora.down.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(2, 32)));
            tensors.put(p + "1.self_attn.out_proj.lora.up.weight", m.randomNormal(new ai.djl.ndarray.types.Shape(32, 2)));
            Path file = dir.resolve("te.safetensors");
            SafetensorsWriter.write(file, tensors, Map.of());
            NDArray ids = SafetensorsFile.open(Fixtures.golden("text_encoder.safetensors")).load("input_ids", m);
            NDArray base = text.forward(ids);
            try (LoraSet lora = LoraSet.load(file, Map.of("text_encoder", text.linears()), 1.0, m, DataType.FLOAT32)) {
                assertEquals(List.of("text_model.encoder.layers.0.self_attn.q_proj", "text_model.encoder.layers.1.self_attn.out_proj"),
                        lora.attached().stream().map(LoraSet.Attached::module).toList());
                assertTrue(maxAbs(text.forward(ids), base) > 1e-3f);
            }
            // Fresh text-encoder adapters on all four projections train: gradients reach lora_B.
            LoraSpec spec = new LoraSpec("text_encoder", text.linears(), LoraSpec.TEXT_ATTENTION, 2, 2);
            try (LoraSet trainable = LoraSet.createTrainable(List.of(spec), 1, m)) {
                assertEquals(12, trainable.attached().size());
                assertTrue(trainable.parameters().get(0).fileKey()
                        .startsWith("text_encoder.text_model.encoder.layers.0.self_attn."));
                JniUtils.setGradMode(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(text.forward(ids).square().sum());
                }
                JniUtils.setGradMode(false);
                NDArray upGradient = trainable.parameters().get(1).array().getGradient();
                assertTrue(upGradient.abs().sum().getFloat() > 0, "gradient reaches the text encoder's lora_B");
            }
        }
    }

    @Test
    void freshAdaptersTrainSaveAndReload() {
        try (NDManager m = manager.newSubManager()) {
            JniUtils.setGradMode(false);
            NDArray base = forward(m);
            LoraSpec spec = new LoraSpec("unet", unet.linears(), LoraSpec.UNET_ATTENTION, 4, 8);
            try (LoraSet lora = LoraSet.createTrainable(List.of(spec), 7, m)) {
                assertEquals(128, lora.attached().size());
                assertTrue(maxAbs(forward(m), base) <= 1e-6f, "B starts at zero");
                LoraSet.Parameter first = lora.parameters().get(0);
                assertTrue(first.peftName().endsWith(".lora_A.default.weight"), first.peftName());
                assertTrue(first.fileKey().startsWith("unet.") && first.fileKey().endsWith(".lora.down.weight"));
                float bound = (float) (1 / Math.sqrt(32));
                assertTrue(first.array().abs().max().getFloat() <= bound);

                // The UNet forward is differentiable with respect to the adapters.
                NDArray up = lora.parameters().get(1).array();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(forward(m).square().sum());
                }
                assertNotNull(up.getGradient());
                assertTrue(up.getGradient().abs().sum().getFloat() > 0, "gradient reaches lora_B");
                JniUtils.setGradMode(false);

                // Give B non-zero values so the saved file carries a real update.
                NDArray filled = up.add(0.01f);
                filled.copyTo(up);
                Path file = dir.resolve("pytorch_lora_weights.safetensors");
                lora.save(file, Map.of("tenshot.recipe", "safe"));
                NDArray adapted = forward(m);
                lora.detach();
                SafetensorsFile saved = SafetensorsFile.open(file);
                assertEquals("safe", saved.metadata().get("tenshot.recipe"));
                assertTrue(saved.metadata().get(LoraSet.ADAPTER_METADATA_KEY).contains("\"unet.lora_alpha\":8"));
                try (LoraSet reloaded = LoraSet.load(file, components(), 1.0, m, DataType.FLOAT32)) {
                    assertEquals(2.0, reloaded.attached().get(0).adapter().scale(), 1e-12);
                    assertTrue(maxAbs(forward(m), adapted) <= 1e-6f);
                }
            }
        }
    }
}

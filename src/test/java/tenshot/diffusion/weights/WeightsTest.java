package tenshot.diffusion.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;

class WeightsTest {

    @TempDir Path dir;

    @Test
    void subViewsPrefixKeysAndShapesAreChecked() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = dir.resolve("model.safetensors");
            SafetensorsWriter.write(file, Map.of(
                    "down_blocks.0.conv.weight", m.arange(6f).reshape(2, 3),
                    "down_blocks.0.conv.bias", m.create(new float[] {1, 2})), Map.of());
            Weights weights = Weights.checkpoint(EngineDevice.cpu(), m, file);
            Weights conv = weights.sub("down_blocks.0").sub("conv");
            assertEquals("down_blocks.0.conv.weight", conv.key("weight"));
            assertTrue(conv.has("bias"));
            assertFalse(conv.has("scale"));
            assertArrayEquals(new float[] {1, 2}, conv.get("bias", new Shape(2)).toFloatArray());
            assertEquals(Set("down_blocks.0.conv.weight"), weights.unusedKeys());

            WeightsException wrong = assertThrows(WeightsException.class, () -> conv.get("weight", new Shape(3, 2)));
            String msg = wrong.getMessage();
            assertTrue(msg.contains(file.toString()) && msg.contains("'down_blocks.0.conv.weight'")
                    && msg.contains("(2, 3)") && msg.contains("(3, 2)"), msg);
            WeightsException missing = assertThrows(WeightsException.class, () -> conv.get("scale", new Shape(2)));
            assertTrue(missing.getMessage().contains("'down_blocks.0.conv.scale'"), missing.getMessage());
        }
    }

    private static java.util.Set<String> Set(String... keys) {
        return java.util.Set.of(keys);
    }

    @Test
    void weightsSurviveTheScopeTheyWereLoadedIn() {
        try (NDManager m = NDManager.newBaseManager()) {
            Weights weights = Weights.random(EngineDevice.cpu(), m, 1);
            NDArray w;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                w = weights.get("w", new Shape(2, 2));
            }
            assertEquals(4, w.toFloatArray().length);
        }
    }

    @Test
    void randomWeightsAreSeededPerKeyAndShapedByTheModule() {
        try (NDManager m = NDManager.newBaseManager()) {
            Weights a = Weights.random(EngineDevice.cpu(), m, 42).sub("mid_block");
            Weights b = Weights.random(EngineDevice.cpu(), m, 42).sub("mid_block");
            Weights c = Weights.random(EngineDevice.cpu(), m, 43).sub("mid_block");
            b.get("other.weight", new Shape(3, 3));
            float[] first = a.get("conv.weight", new Shape(8, 4, 3, 3)).toFloatArray();
            assertArrayEquals(first, b.get("conv.weight", new Shape(8, 4, 3, 3)).toFloatArray());
            assertFalse(java.util.Arrays.equals(first, c.get("conv.weight", new Shape(8, 4, 3, 3)).toFloatArray()));
            float bound = (float) (1 / Math.sqrt(36));
            for (float v : first) assertTrue(Math.abs(v) <= bound);
            assertArrayEquals(new float[] {1, 1}, a.get("norm.weight", new Shape(2)).toFloatArray());
            assertArrayEquals(new float[] {0, 0}, a.get("norm.bias", new Shape(2)).toFloatArray());
            NDArray half = a.get("x.weight", new Shape(2, 2), DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, half.getDataType());
        }
    }

    @Test
    void componentFoldersPickTheFileDiffusersWould() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = Map.of("a.weight", m.ones(new Shape(2)));
            Map<String, NDArray> b = Map.of("b.weight", m.ones(new Shape(3)));
            Path full = java.nio.file.Files.createDirectories(dir.resolve("full"));
            SafetensorsWriter.write(full.resolve("diffusion_pytorch_model.safetensors"), a, Map.of());
            SafetensorsWriter.write(full.resolve("diffusion_pytorch_model.fp16.safetensors"), b, Map.of());
            SafetensorsWriter.write(full.resolve("diffusion_pytorch_model.non_ema.safetensors"), b, Map.of());
            assertEquals(java.util.List.of(full.resolve("diffusion_pytorch_model.safetensors")), Weights.checkpointFiles(full));

            Path sharded = java.nio.file.Files.createDirectories(dir.resolve("sharded"));
            SafetensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), a, Map.of());
            SafetensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), b, Map.of());
            java.nio.file.Files.writeString(sharded.resolve("model.safetensors.index.json"),
                    "{\"weight_map\": {\"a.weight\": \"model-00001-of-00002.safetensors\","
                    + " \"b.weight\": \"model-00002-of-00002.safetensors\"}}");
            Weights weights = Weights.componentFolder(EngineDevice.cpu(), m, sharded);
            assertEquals(Set("a.weight", "b.weight"), weights.keys());

            Path half = java.nio.file.Files.createDirectories(dir.resolve("half"));
            SafetensorsWriter.write(half.resolve("model.fp16.safetensors"), a, Map.of());
            assertEquals(java.util.List.of(half.resolve("model.fp16.safetensors")), Weights.checkpointFiles(half));

            Path ambiguous = java.nio.file.Files.createDirectories(dir.resolve("ambiguous"));
            SafetensorsWriter.write(ambiguous.resolve("x.safetensors"), a, Map.of());
            SafetensorsWriter.write(ambiguous.resolve("y.safetensors"), b, Map.of());
            WeightsException e = assertThrows(WeightsException.class, () -> Weights.checkpointFiles(ambiguous));
            assertTrue(e.getMessage().contains("x.safetensors"), e.getMessage());
            assertTrue(assertThrows(WeightsException.class, () -> Weights.checkpointFiles(dir.resolve("none")))
                    .getMessage().contains("none"));
        }
    }
}

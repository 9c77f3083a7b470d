package tenshot.diffusion.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.testing.Fixtures;

class SafetensorsFileTest {

    @TempDir Path dir;

    @Test
    void writesAndReadsBackEveryTypeWithMetadata() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("b.f32", m.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, new Shape(2, 3)));
            tensors.put("a.f16", m.create(new float[] {0.5f, -1f}).toType(DataType.FLOAT16, false));
            tensors.put("c.i64", m.create(new long[] {49406, 0, 7}));
            Path file = dir.resolve("t.safetensors");
            SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "rank", "4"));

            SafetensorsFile read = SafetensorsFile.open(file);
            assertEquals(Map.of("format", "pt", "rank", "4"), read.metadata());
            assertEquals("F16", read.entry("a.f16").dtype());
            assertEquals(new Shape(2, 3), read.entry("b.f32").shape());
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, read.load("b.f32", m).toFloatArray());
            assertEquals(DataType.FLOAT16, read.load("a.f16", m).getDataType());
            assertArrayEquals(new float[] {0.5f, -1f}, read.load("a.f16", m, DataType.FLOAT32).toFloatArray());
            NDArray ids = read.load("c.i64", m, DataType.FLOAT16);
            assertEquals(DataType.INT64, ids.getDataType(), "integer tensors keep their type");
            assertArrayEquals(new long[] {49406, 0, 7}, ids.toLongArray());
        }
    }

    @Test
    void widensBf16ToFp32WhileReading() throws IOException {
        // bf16 is the top half of an fp32: 1.0f = 0x3F80, -2.5f = 0xC020.
        Path file = rawFile("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                new byte[] {(byte) 0x80, 0x3F, 0x20, (byte) 0xC0});
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = SafetensorsFile.open(file).load("w", m);
            assertEquals(DataType.FLOAT32, w.getDataType());
            assertArrayEquals(new float[] {1f, -2.5f}, w.toFloatArray());
            assertEquals(DataType.FLOAT16, SafetensorsFile.open(file).load("w", m, DataType.FLOAT16).getDataType());
        }
    }

    @Test
    void readsTheGoldenFixture() {
        Path golden = Fixtures.golden("unet.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsFile file = SafetensorsFile.open(golden);
            assertEquals(new Shape(2, 4, 8, 8), file.load("sample", m).getShape());
            assertEquals(DataType.INT64, file.load("timestep", m).getDataType());
        }
    }

    @Test
    void badFilesFailNamingFileAndKey() throws IOException {
        WeightsException missing = assertThrows(WeightsException.class,
                () -> SafetensorsFile.open(dir.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("nope.safetensors"), missing.getMessage());

        Path truncated = rawFile("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        WeightsException cut = assertThrows(WeightsException.class, () -> SafetensorsFile.open(truncated));
        assertTrue(cut.getMessage().contains(truncated.toString()) && cut.getMessage().contains("'w'"),
                cut.getMessage());

        Path garbage = rawFile("{not json", new byte[0]);
        assertTrue(assertThrows(WeightsException.class, () -> SafetensorsFile.open(garbage))
                .getMessage().contains(garbage.toString()));

        Path wrongSize = rawFile("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertTrue(assertThrows(WeightsException.class, () -> SafetensorsFile.open(wrongSize))
                .getMessage().contains("'w'"));

        Path ok = rawFile("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        WeightsException absent = assertThrows(WeightsException.class, () -> SafetensorsFile.open(ok).entry("x"));
        assertTrue(absent.getMessage().contains("'x'") && absent.getMessage().contains(ok.toString()));
    }

    private Path rawFile(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json).put(data);
        Path file = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(file, buffer.array());
        return file;
    }
}

package tenshot.scoring.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tenshot.scoring.TensorFixture;
import tenshot.testing.Fixtures;

class PthReaderTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"lpips-squeeze", "inception-fid"})
    void pthTensorsEqualTheirSafetensorsTwins(String model) throws Exception {
        Map<String, TorchTensor> pth = PthReader.read(Fixtures.metrics(model + "/weights.pth"));
        TensorFixture twin = TensorFixture.read(Fixtures.metrics(model + "/weights.safetensors"));
        int compared = 0;
        for (String key : twin.keys()) {
            TorchTensor t = pth.get(key);
            assertTrue(t != null, key + " missing from the .pth; it has " + pth.keySet());
            assertArrayEquals(twin.shape(key), t.shape(), key);
            if (t.dtype().equals("F32")) assertArrayEquals(twin.floats(key), t.toFloats(), key);
            else assertEquals(twin.longs(key)[0], t.data().getLong(0), key);
            compared++;
        }
        assertTrue(compared > 10);
    }

    @Test
    void readsTheParametersOfATorchScriptModuleTree() throws Exception {
        // a torch.jit.save-shaped data.pkl: __torch__ objects built from attribute dicts, one tensor each level
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        global(p, "__torch__.model", "CLIP");
        p.write(new byte[] {')', (byte) 0x81, '}', '('});
        unicode(p, "training");
        p.write(0x89);
        unicode(p, "logit_scale");
        tensor(p, "0", 1, new int[] {}, new int[] {});
        unicode(p, "visual");
        global(p, "__torch__.model", "ModifiedResNet");
        p.write(new byte[] {')', (byte) 0x81, '}', '('});
        unicode(p, "conv1");
        global(p, "__torch__.torch.nn.modules.conv", "Conv2d");
        p.write(new byte[] {')', (byte) 0x81, '}', '('});
        unicode(p, "weight");
        tensor(p, "1", 4, new int[] {2, 2}, new int[] {1, 2});
        p.write(new byte[] {'u', 'b'});
        p.write(new byte[] {'u', 'b'});
        p.write(new byte[] {'u', 'b', '.'});
        Path file = tmp.resolve("RN50.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new ZipEntry("RN50/data.pkl"));
            z.write(p.toByteArray());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("RN50/data/0"));
            z.write(floats(2.5f));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("RN50/data/1"));
            z.write(floats(1f, 2f, 3f, 4f));
            z.closeEntry();
        }
        Map<String, TorchTensor> tensors = PthReader.read(file);
        assertEquals(java.util.Set.of("logit_scale", "visual.conv1.weight"), tensors.keySet());
        assertArrayEquals(new float[] {2.5f}, tensors.get("logit_scale").toFloats());
        // stride (1, 2) over a 2x2 storage: the transpose
        assertArrayEquals(new float[] {1f, 3f, 2f, 4f}, tensors.get("visual.conv1.weight").toFloats());
        assertArrayEquals(new long[] {2, 2}, tensors.get("visual.conv1.weight").shape());
    }

    @Test
    void readsTheLegacyPre16Format() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
                (byte) 0xa8, 0x50, 0x19, '.'});
        p.write(new byte[] {(byte) 0x80, 2, 'M', (byte) 0xe9, 0x03, '.'});
        p.write(new byte[] {(byte) 0x80, 2, '}', '.'});
        p.write(new byte[] {(byte) 0x80, 2});
        global(p, "collections", "OrderedDict");
        p.write(new byte[] {')', 'R'});
        unicode(p, "features.0.bias");
        tensor(p, "94", 3, new int[] {3}, new int[] {1});
        p.write(new byte[] {'s', '.'});
        p.write(new byte[] {(byte) 0x80, 2, ']'});
        unicode(p, "94");
        p.write(new byte[] {'a', '.'});
        java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(8 + 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        data.putLong(3).putFloat(1f).putFloat(-2f).putFloat(0.5f);
        p.write(data.array());
        Path file = tmp.resolve("legacy.pth");
        Files.write(file, p.toByteArray());
        Map<String, TorchTensor> tensors = PthReader.read(file);
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, tensors.get("features.0.bias").toFloats());
    }

    private static void global(ByteArrayOutputStream p, String module, String name) throws IOException {
        p.write('c');
        p.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream p, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(new byte[] {(byte) b.length, 0, 0, 0});
        p.write(b);
    }

    private static void tensor(ByteArrayOutputStream p, String key, int numel, int[] shape, int[] stride) throws IOException {
        global(p, "torch._utils", "_rebuild_tensor_v2");
        p.write('(');
        p.write('(');
        unicode(p, "storage");
        global(p, "torch", "FloatStorage");
        unicode(p, key);
        unicode(p, "cpu");
        p.write(new byte[] {'K', (byte) numel, 't', 'Q', 'K', 0});
        p.write('(');
        for (int d : shape) p.write(new byte[] {'K', (byte) d});
        p.write('t');
        p.write('(');
        for (int d : stride) p.write(new byte[] {'K', (byte) d});
        p.write('t');
        p.write(0x89);
        global(p, "collections", "OrderedDict");
        p.write(new byte[] {')', 'R', 't', 'R'});
    }

    private static byte[] floats(float... values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    @Test
    void refusesGlobalsOutsideTheTensorWhitelist() throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        p.write("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        p.write('X');
        byte[] cmd = "touch /tmp/pwned".getBytes(StandardCharsets.US_ASCII);
        p.write(new byte[] {(byte) cmd.length, 0, 0, 0});
        p.write(cmd);
        p.write(new byte[] {(byte) 0x85, 'R', '.'});
        Path evil = tmp.resolve("evil.pth");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new ZipEntry("evil/data.pkl"));
            z.write(p.toByteArray());
            z.closeEntry();
        }
        IOException e = assertThrows(IOException.class, () -> PthReader.read(evil));
        assertTrue(e.getMessage().contains("refusing global 'os.system'"), e.getMessage());
    }
}

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

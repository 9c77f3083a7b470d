package tenshot.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads F32 and I64 tensors of a small reference safetensors file onto the host, for comparisons. */
public final class TensorFixture {

    private final ByteBuffer data;
    private final JsonNode header;

    private TensorFixture(ByteBuffer data, JsonNode header) {
        this.data = data;
        this.header = header;
    }

    public static TensorFixture read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) buf.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, n, java.nio.charset.StandardCharsets.UTF_8));
        buf.position(8 + n);
        return new TensorFixture(buf.slice().order(ByteOrder.LITTLE_ENDIAN), header);
    }

    public java.util.List<String> keys() {
        java.util.List<String> out = new java.util.ArrayList<>();
        header.fieldNames().forEachRemaining(k -> {
            if (!k.equals("__metadata__")) out.add(k);
        });
        return out;
    }

    public long[] shape(String name) {
        JsonNode s = entry(name).get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asLong();
        return out;
    }

    public float[] floats(String name) {
        JsonNode e = entry(name);
        if (!e.get("dtype").asText().equals("F32")) throw new IllegalArgumentException(name + " is not F32");
        int start = e.get("data_offsets").get(0).asInt();
        int end = e.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - start) / 4];
        for (int i = 0; i < out.length; i++) out[i] = data.getFloat(start + 4 * i);
        return out;
    }

    public long[] longs(String name) {
        JsonNode e = entry(name);
        if (!e.get("dtype").asText().equals("I64")) throw new IllegalArgumentException(name + " is not I64");
        int start = e.get("data_offsets").get(0).asInt();
        int end = e.get("data_offsets").get(1).asInt();
        long[] out = new long[(end - start) / 8];
        for (int i = 0; i < out.length; i++) out[i] = data.getLong(start + 8 * i);
        return out;
    }

    /** Row {@code row} of a 2-d F32 tensor, widened to double. */
    public double[] row(String name, int row) {
        long[] shape = shape(name);
        float[] all = floats(name);
        int width = (int) shape[1];
        double[] out = new double[width];
        for (int i = 0; i < width; i++) out[i] = all[row * width + i];
        return out;
    }

    private JsonNode entry(String name) {
        JsonNode e = header.get(name);
        if (e == null) throw new IllegalArgumentException("no tensor " + name);
        return e;
    }
}

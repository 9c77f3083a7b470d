package tenshot.diffusion.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads fp32 tensors of a golden safetensors file into host arrays (test helper, no engine involved). */
final class GoldenTensors {

    private final ByteBuffer data;
    private final JsonNode header;

    GoldenTensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buffer.getLong(0));
        header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        data = ByteBuffer.wrap(bytes, 8 + headerLength, bytes.length - 8 - headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    long[] shape(String key) {
        JsonNode shape = entry(key).get("shape");
        long[] out = new long[shape.size()];
        for (int i = 0; i < out.length; i++) out[i] = shape.get(i).asLong();
        return out;
    }

    float[] floats(String key) {
        JsonNode entry = entry(key);
        if (!entry.get("dtype").asText().equals("F32")) throw new IllegalArgumentException(key + " is not F32");
        int begin = entry.get("data_offsets").get(0).asInt();
        int end = entry.get("data_offsets").get(1).asInt();
        float[] out = new float[(end - begin) / 4];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(begin).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private JsonNode entry(String key) {
        JsonNode entry = header.get(key);
        if (entry == null) throw new IllegalArgumentException("golden file has no tensor " + key);
        return entry;
    }
}

package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the small golden safetensors files (F32 and I64 only) into host arrays, for tests. */
final class GoldenTensors {

    record Tensor(String dtype, long[] shape, ByteBuffer data) {
        float[] floats() {
            if (!dtype.equals("F32")) throw new IllegalStateException("not F32: " + dtype);
            float[] out = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        long[] longs() {
            if (!dtype.equals("I64")) throw new IllegalStateException("not I64: " + dtype);
            long[] out = new long[data.remaining() / 8];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }

        NDArray toArray(NDManager manager) {
            return manager.create(floats(), new Shape(shape));
        }
    }

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    GoldenTensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buffer.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        int base = 8 + headerLength;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode info = e.getValue();
            long[] shape = new long[info.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = info.get("shape").get(i).asLong();
            int begin = info.get("data_offsets").get(0).asInt();
            int end = info.get("data_offsets").get(1).asInt();
            ByteBuffer slice = ByteBuffer.wrap(bytes, base + begin, end - begin).slice();
            tensors.put(e.getKey(), new Tensor(info.get("dtype").asText(), shape, slice));
        }
    }

    Map<String, Tensor> all() {
        return tensors;
    }

    Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) throw new IllegalArgumentException("golden file has no tensor " + key);
        return t;
    }

    /** Diffusers LoRA key {@code X.lora.down.weight} → peft name {@code X.lora_A.default.weight} (and up → B). */
    static String peftName(String diffusersKey) {
        if (diffusersKey.endsWith(".lora.down.weight")) {
            return diffusersKey.substring(0, diffusersKey.length() - ".lora.down.weight".length()) + ".lora_A.default.weight";
        }
        if (diffusersKey.endsWith(".lora.up.weight")) {
            return diffusersKey.substring(0, diffusersKey.length() - ".lora.up.weight".length()) + ".lora_B.default.weight";
        }
        throw new IllegalArgumentException("not a diffusers LoRA key: " + diffusersKey);
    }
}

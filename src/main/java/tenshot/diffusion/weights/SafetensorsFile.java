package tenshot.diffusion.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: the JSON header is parsed up front, each tensor is read on demand by
 * memory-mapping exactly its byte range, so files larger than 2 GiB load without a heap copy.
 *
 * <p>BF16 tensors are widened to FP32 while reading: the engine cannot hold BF16 arrays.
 */
public final class SafetensorsFile {

    /** Where one tensor lives in the file, and what it holds. */
    public record Entry(String key, String dtype, Shape shape, long begin, long end) {

        public long byteLength() {
            return end - begin;
        }

        public boolean isFloatingPoint() {
            return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private final Path path;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Parses the header of {@code path}; fails naming the file when it is missing, truncated or malformed. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) throw bad(path, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > fileSize) {
                throw bad(path, "header length " + headerLength + " does not fit a file of " + fileSize + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (IOException e) {
                throw bad(path, "header is not valid JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) throw bad(path, "header is not a JSON object");
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String key = field.getKey();
                JsonNode node = field.getValue();
                if (key.equals("__metadata__")) {
                    node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(key, parseEntry(path, key, node, dataSize));
            }
            return new SafetensorsFile(path, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (NoSuchFileException e) {
            throw new WeightsException("safetensors file " + path + " does not exist");
        } catch (IOException e) {
            throw new WeightsException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        }
    }

    private static Entry parseEntry(Path path, String key, JsonNode node, long dataSize) {
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !shape.isArray() || offsets.size() != 2) {
            throw bad(path, "tensor '" + key + "' lacks dtype, shape or data_offsets");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = shape.get(i).asLong();
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        String type = dtype.asText();
        int width = bytesPerElement(path, key, type);
        long elements = 1;
        for (long d : dims) elements *= d;
        if (end - begin != elements * width) {
            throw bad(path, "tensor '" + key + "' has " + (end - begin) + " bytes for shape "
                    + new Shape(dims) + " of " + type);
        }
        if (begin < 0 || end > dataSize) {
            throw bad(path, "tensor '" + key + "' ends at byte " + end + " but the data section holds "
                    + dataSize + " bytes (truncated file?)");
        }
        return new Entry(key, type, new Shape(dims), begin, end);
    }

    static int bytesPerElement(Path path, String key, String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw bad(path, "tensor '" + key + "' has unsupported dtype " + dtype);
        };
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private static WeightsException bad(Path path, String what) {
        return new WeightsException("safetensors file " + path + ": " + what);
    }

    public Path path() {
        return path;
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The header entry of {@code key}; fails naming the file and key when absent. */
    public Entry entry(String key) {
        Entry entry = entries.get(key);
        if (entry == null) throw new WeightsException("safetensors file " + path + " has no tensor '" + key + "'");
        return entry;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} string map (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads {@code key} into {@code manager} in the file's own type, except that BF16 becomes FP32. The
     * array owns a fresh copy of the bytes, so it may be modified in place.
     */
    public NDArray load(String key, NDManager manager) {
        return load(key, manager, null);
    }

    /**
     * Like {@link #load(String, NDManager)}, with floating-point tensors converted to {@code floatType}
     * when it is not null (integer tensors keep their type).
     */
    public NDArray load(String key, NDManager manager, DataType floatType) {
        return create(entry(key), read(entry(key)), manager, floatType);
    }

    /**
     * Reads {@code key} through a read-only memory mapping of exactly its byte range: no heap copy, and
     * on the CPU in the file's dtype the array aliases the page cache. Such an array must never be
     * modified in place (the mapping is read-only); model weights never are.
     */
    public NDArray loadMapped(String key, NDManager manager, DataType floatType) {
        return create(entry(key), map(entry(key)), manager, floatType);
    }

    private NDArray create(Entry entry, ByteBuffer bytes, NDManager manager, DataType floatType) {
        NDArray array;
        if (entry.dtype().equals("BF16")) {
            array = manager.create(bf16ToF32(bytes, entry.shape()), entry.shape(), DataType.FLOAT32);
        } else {
            array = manager.create(bytes, entry.shape(), djlType(entry));
        }
        if (floatType != null && entry.isFloatingPoint() && array.getDataType() != floatType) {
            NDArray converted = array.toType(floatType, false);
            array.close();
            array = converted;
        }
        return array;
    }

    private ByteBuffer read(Entry entry) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(entry.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            checkInFile(channel, entry);
            readFully(channel, buffer, dataStart + entry.begin());
            buffer.rewind();
            return buffer;
        } catch (IOException e) {
            throw new WeightsException("cannot read tensor '" + entry.key() + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    private ByteBuffer map(Entry entry) {
        if (entry.byteLength() == 0) return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            checkInFile(channel, entry);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin(),
                    entry.byteLength());
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            return mapped;
        } catch (IOException e) {
            throw new WeightsException("cannot map tensor '" + entry.key() + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    private void checkInFile(FileChannel channel, Entry entry) throws IOException {
        if (channel.size() < dataStart + entry.end()) {
            throw bad(path, "tensor '" + entry.key() + "' ends past the end of the file (truncated?)");
        }
    }

    private static ByteBuffer bf16ToF32(ByteBuffer bf16, Shape shape) {
        int count = Math.toIntExact(shape.size());
        ByteBuffer out = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            int bits = bf16.getShort(i * 2) & 0xFFFF;
            out.putInt(i * 4, bits << 16);
        }
        return out;
    }

    private DataType djlType(Entry entry) {
        return switch (entry.dtype()) {
            case "F64" -> DataType.FLOAT64;
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I16" -> DataType.INT16;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw bad(path, "tensor '" + entry.key() + "' has dtype " + entry.dtype()
                    + " which the engine cannot hold");
        };
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + entries.size() + " tensors]";
    }
}

package tenshot.scoring.pth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.diffusion.weights.Weights;

/**
 * A {@code .pth} state dict opened as {@link Weights}: the tensors are read by {@link PthReader}, written
 * to a temporary safetensors file, and served by the engine's weights view. Close it once the model is
 * built (its parameters are loaded by then); the temporary file is deleted.
 */
public final class PthCheckpoint implements AutoCloseable {

    private final Path temp;
    private final Weights weights;

    private PthCheckpoint(Path temp, Weights weights) {
        this.temp = temp;
        this.weights = weights;
    }

    /** @param rename maps checkpoint keys to the keys the model reads (identity when null); null drops a key */
    public static PthCheckpoint open(Path pth, EngineDevice device, NDManager manager, UnaryOperator<String> rename)
            throws IOException {
        return open(java.util.List.of(pth), device, manager, rename);
    }

    /** Several state dicts merged (e.g. a backbone and its heads); a key present twice is an error. */
    public static PthCheckpoint open(java.util.List<Path> files, EngineDevice device, NDManager manager,
            UnaryOperator<String> rename) throws IOException {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        Map<String, Path> origin = new LinkedHashMap<>();
        for (Path file : files) {
            for (Map.Entry<String, TorchTensor> e : PthReader.read(file).entrySet()) {
                Path before = origin.putIfAbsent(e.getKey(), file);
                if (before != null) throw new IOException("tensor '" + e.getKey() + "' is in both " + before + " and " + file);
                tensors.put(e.getKey(), e.getValue());
            }
        }
        Path pth = files.get(0);
        Path temp = Files.createTempFile("tenshot-pth-", ".safetensors");
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
                String key = rename == null ? e.getKey() : rename.apply(e.getKey());
                if (key == null || arrays.containsKey(key)) continue;
                TorchTensor t = e.getValue();
                ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
                direct.put(t.data().duplicate());
                direct.flip();
                arrays.put(key, scratch.create(direct, new Shape(t.shape()), dataType(t.dtype(), pth, e.getKey())));
            }
            SafetensorsWriter.write(temp, arrays, Map.of("source", pth.getFileName().toString()));
        } catch (RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return new PthCheckpoint(temp, Weights.checkpoint(device, manager, temp));
    }

    public Weights weights() {
        return weights;
    }

    private static DataType dataType(String dtype, Path file, String key) throws IOException {
        return switch (dtype) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I16" -> DataType.INT16;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new IOException(file + ": tensor '" + key + "' has dtype " + dtype + ", which the engine cannot hold");
        };
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(temp);
    }
}

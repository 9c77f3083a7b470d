package tenshot.diffusion.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** Tensors read from safetensors files; remembers which keys were read so leftovers can be reported. */
final class CheckpointSource implements Weights.TensorSource {

    private final Map<String, SafetensorsFile> fileOfKey = new LinkedHashMap<>();
    private final List<SafetensorsFile> files;
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    CheckpointSource(List<SafetensorsFile> files) {
        this.files = files;
        for (SafetensorsFile file : files) {
            for (String key : file.keys()) {
                SafetensorsFile previous = fileOfKey.putIfAbsent(key, file);
                if (previous != null) {
                    throw new WeightsException("tensor '" + key + "' appears in both " + previous.path()
                            + " and " + file.path());
                }
            }
        }
    }

    @Override
    public boolean has(String key) {
        return fileOfKey.containsKey(key);
    }

    @Override
    public NDArray load(String key, Shape expected, DataType floatType, NDManager manager) {
        SafetensorsFile file = fileOfKey.get(key);
        if (file == null) {
            throw new WeightsException("checkpoint " + describeFiles() + " has no tensor '" + key + "'"
                    + (expected == null ? "" : " (the model expects shape " + expected + ")"));
        }
        SafetensorsFile.Entry entry = file.entry(key);
        if (expected != null && !expected.equals(entry.shape())) {
            throw new WeightsException("safetensors file " + file.path() + ": tensor '" + key + "' has shape "
                    + entry.shape() + " but the model config expects " + expected);
        }
        used.add(key);
        return file.loadMapped(key, manager, floatType);
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(fileOfKey.keySet());
    }

    @Override
    public Set<String> unusedKeys() {
        Set<String> out = new TreeSet<>(fileOfKey.keySet());
        out.removeAll(used);
        return out;
    }

    @Override
    public String describe(String key) {
        SafetensorsFile file = fileOfKey.get(key);
        return "'" + key + "' in " + (file == null ? describeFiles() : file.path().toString());
    }

    private String describeFiles() {
        return files.size() == 1 ? files.get(0).path().toString()
                : files.stream().map(f -> f.path().getFileName().toString()).toList().toString();
    }

    @Override
    public String toString() {
        return describeFiles();
    }
}

package tenshot.diffusion.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import tenshot.diffusion.EngineDevice;

/**
 * A view of a model's parameters under a key prefix, as modules see them: a module asks for
 * {@code get("weight", shape)} in its own view ({@code weights.sub("down_blocks.0")}) and receives the
 * tensor on the engine device in the engine dtype. The shape the module expects is checked against
 * the checkpoint; a random-backed view creates the tensor from that shape instead.
 *
 * <p>Arrays are created in {@link #manager()}, which owns them for the life of the model.
 */
public final class Weights {

    private final TensorSource source;
    private final String prefix;
    private final EngineDevice device;
    private final NDManager manager;
    private final Map<String, NDArray> record;

    private Weights(TensorSource source, String prefix, EngineDevice device, NDManager manager,
            Map<String, NDArray> record) {
        this.source = source;
        this.prefix = prefix;
        this.device = device;
        this.manager = manager;
        this.record = record;
    }

    private Weights(TensorSource source, String prefix, EngineDevice device, NDManager manager) {
        this(source, prefix, device, manager, null);
    }

    /** Weights read from one or more safetensors files (a sharded checkpoint is several files). */
    public static Weights checkpoint(EngineDevice device, NDManager manager, List<Path> files) {
        List<SafetensorsFile> opened = new ArrayList<>();
        for (Path file : files) opened.add(SafetensorsFile.open(file));
        return new Weights(new CheckpointSource(opened), "", device, manager);
    }

    public static Weights checkpoint(EngineDevice device, NDManager manager, Path file) {
        return checkpoint(device, manager, List.of(file));
    }

    /**
     * The weights of one diffusers component folder ({@code unet/}, {@code vae/}, {@code text_encoder/}),
     * chosen as diffusers does: the full-precision file ({@code diffusion_pytorch_model.safetensors} or
     * {@code model.safetensors}), else a sharded checkpoint's index ({@code *.safetensors.index.json}),
     * else the {@code fp16} variant, else the folder's only {@code .safetensors} file.
     */
    public static Weights componentFolder(EngineDevice device, NDManager manager, Path folder) {
        return checkpoint(device, manager, checkpointFiles(folder));
    }

    /** The safetensors files {@link #componentFolder} reads for {@code folder}. */
    public static List<Path> checkpointFiles(Path folder) {
        if (!Files.isDirectory(folder)) throw new WeightsException("model folder " + folder + " does not exist");
        for (String name : new String[] {"diffusion_pytorch_model.safetensors", "model.safetensors"}) {
            if (Files.isRegularFile(folder.resolve(name))) return List.of(folder.resolve(name));
        }
        for (String name : new String[] {"diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
                "diffusion_pytorch_model.fp16.safetensors.index.json", "model.fp16.safetensors.index.json"}) {
            if (Files.isRegularFile(folder.resolve(name))) return shards(folder.resolve(name));
        }
        for (String name : new String[] {"diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors"}) {
            if (Files.isRegularFile(folder.resolve(name))) return List.of(folder.resolve(name));
        }
        List<Path> all;
        try (Stream<Path> files = Files.list(folder)) {
            all = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new WeightsException("cannot list model folder " + folder + ": " + e.getMessage(), e);
        }
        if (all.size() == 1) return all;
        throw new WeightsException("model folder " + folder + (all.isEmpty()
                ? " holds no .safetensors file (only safetensors checkpoints are supported)"
                : " holds several .safetensors files " + all.stream().map(p -> p.getFileName().toString()).toList()
                        + " and none has a standard diffusers name"));
    }

    private static List<Path> shards(Path index) {
        try {
            JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
            if (map == null || !map.isObject()) throw new WeightsException("sharded checkpoint index " + index + " has no weight_map");
            Set<String> files = new TreeSet<>();
            map.elements().forEachRemaining(n -> files.add(n.asText()));
            List<Path> out = new ArrayList<>();
            for (String f : files) {
                Path shard = index.resolveSibling(f);
                if (!Files.isRegularFile(shard)) {
                    throw new WeightsException("sharded checkpoint index " + index + " names " + f + ", which does not exist");
                }
                out.add(shard);
            }
            return out;
        } catch (IOException e) {
            throw new WeightsException("cannot read sharded checkpoint index " + index + ": " + e.getMessage(), e);
        }
    }

    /** Seeded random weights whose shapes are whatever the modules ask for: any config, no file. */
    public static Weights random(EngineDevice device, NDManager manager, long seed) {
        return new Weights(new RandomSource(seed), "", device, manager);
    }

    /**
     * All-zero weights of whatever shape the modules ask for, as broadcast views of one scalar: no memory
     * per tensor, so a full-size model can be built to check its structure and count its parameters.
     */
    public static Weights zeros(EngineDevice device, NDManager manager) {
        return new Weights(new ZeroSource(), "", device, manager);
    }

    /** The view of the keys under {@code name} ({@code sub("down_blocks.0").sub("resnets.1")}). */
    public Weights sub(String name) {
        return new Weights(source, key(name), device, manager, record);
    }

    /**
     * The same weights, also putting every tensor handed out (under its full key) into {@code sink}: how a
     * random-weight model is turned into a checkpoint file.
     */
    public Weights recordingInto(Map<String, NDArray> sink) {
        return new Weights(source, prefix, device, manager, sink);
    }

    /** The full checkpoint key of {@code name} in this view. */
    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public String prefix() {
        return prefix;
    }

    public boolean has(String name) {
        return source.has(key(name));
    }

    /** {@code name} on the engine device; floating-point tensors in the engine dtype. */
    public NDArray get(String name, Shape expected) {
        return get(name, expected, device.dtype());
    }

    /** {@code name} with floating-point tensors in {@code floatType} (e.g. fp32 adapters on an fp16 engine). */
    public NDArray get(String name, Shape expected, DataType floatType) {
        String full = key(name);
        NDArray array = persistent(source.load(full, expected, floatType, manager));
        if (record != null) record.put(full, array);
        return array;
    }

    /**
     * Takes {@code array} out of the current {@link NDScope}, so a model built inside a scope keeps its
     * parameters (and tensors derived from them, such as reshaped views) when the scope closes. The
     * array stays owned by its manager.
     */
    public static NDArray persistent(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    public EngineDevice device() {
        return device;
    }

    public NDManager manager() {
        return manager;
    }

    /** Whether these weights are random rather than read from a checkpoint. */
    public boolean isRandom() {
        return source instanceof RandomSource;
    }

    /** Keys of the checkpoint under this view's prefix (empty for random weights). */
    public Set<String> keys() {
        Set<String> out = new TreeSet<>();
        String p = prefix.isEmpty() ? "" : prefix + ".";
        for (String k : source.keys()) {
            if (k.startsWith(p)) out.add(k.substring(p.length()));
        }
        return out;
    }

    /** Keys under this view that no module has read yet: a checkpoint/config mismatch when non-empty. */
    public Set<String> unusedKeys() {
        Set<String> out = new TreeSet<>();
        String p = prefix.isEmpty() ? "" : prefix + ".";
        for (String k : source.unusedKeys()) {
            if (k.startsWith(p)) out.add(k.substring(p.length()));
        }
        return out;
    }

    /** A human description of where {@code name} comes from, for error messages. */
    public String describe(String name) {
        return source.describe(key(name));
    }

    @Override
    public String toString() {
        return "Weights[" + source + (prefix.isEmpty() ? "" : " @ " + prefix) + ", " + device + "]";
    }

    /** Where tensors come from: a checkpoint or a seeded generator. */
    interface TensorSource {
        boolean has(String key);

        NDArray load(String key, Shape expected, DataType floatType, NDManager manager);

        Set<String> keys();

        Set<String> unusedKeys();

        String describe(String key);
    }
}

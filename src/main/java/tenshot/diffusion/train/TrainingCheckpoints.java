package tenshot.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import tenshot.diffusion.nn.TorchKernels;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.diffusion.weights.SafetensorsWriter;

/**
 * Resumable training state in a folder of {@code checkpoint-<step>/} directories, each holding the
 * trainable weights ({@code adapters.safetensors}, fp32, by parameter name), the AdamW moments
 * ({@code optimizer.safetensors}) and {@code state.json} (step, seed, the recipe, the data position and
 * the step-draw generator). A checkpoint is assembled in a temporary folder and renamed into place,
 * so the latest complete one is always readable; older ones beyond {@code keep} are deleted.
 */
public final class TrainingCheckpoints {

    /** What {@code state.json} records besides the tensors. */
    public record State(long step, long seed, String recipeJson, String modelId, String styleId, Map<String, String> extra) {}

    /** A checkpoint on disk. */
    public record Saved(Path directory, State state) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "checkpoint-";
    private static final String INCOMPLETE = ".incomplete-";
    static final String ADAPTERS = "adapters.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    /** Written last: a checkpoint folder is complete once it holds this file. */
    public static final String STATE = "state.json";

    private final Path root;
    private final int keep;

    public TrainingCheckpoints(Path root, int keep) {
        if (keep < 1) throw new IllegalArgumentException("must keep at least one checkpoint: " + keep);
        this.root = root;
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    /** Writes the checkpoint of {@code state.step()} completed steps and prunes old ones. */
    public Saved save(State state, Map<String, NDArray> parameters, OptimizerState optimizer) throws IOException {
        Files.createDirectories(root);
        Path target = root.resolve(String.format("%s%06d", PREFIX, state.step()));
        Path temp = Files.createTempDirectory(root, INCOMPLETE);
        try {
            SafetensorsWriter.write(temp.resolve(ADAPTERS), parameters, Map.of("format", "pt"));
            SafetensorsWriter.write(temp.resolve(OPTIMIZER), optimizer.stateTensors(),
                    Map.of("optimizer", "AdamW", "step", Long.toString(optimizer.stepCount())));
            ObjectNode json = JSON.createObjectNode();
            json.put("step", state.step());
            json.put("optimizerStep", optimizer.stepCount());
            json.put("seed", state.seed());
            json.put("modelId", state.modelId());
            json.put("styleId", state.styleId());
            // the step draws are a pure function of (seed, step): this is the whole RNG and data position
            ObjectNode rng = json.putObject("rng");
            rng.put("generator", "splitmix64-counter");
            rng.put("seed", state.seed());
            rng.put("nextStep", state.step());
            json.set("recipe", JSON.readTree(state.recipeJson()));
            ObjectNode extra = json.putObject("extra");
            state.extra().forEach(extra::put);
            Files.writeString(temp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            if (Files.exists(target)) deleteTree(target);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(temp)) deleteTree(temp);
        }
        prune();
        return new Saved(target, state);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Saved> latest() throws IOException {
        List<Path> all = complete();
        if (all.isEmpty()) return Optional.empty();
        Path newest = all.get(all.size() - 1);
        return Optional.of(new Saved(newest, readState(newest)));
    }

    /**
     * Copies a checkpoint's weights into {@code parameters} and its moments into {@code optimizer};
     * every parameter must be present with the same size (a checkpoint of a different recipe fails
     * naming the key).
     */
    public static void restore(Saved saved, Map<String, NDArray> parameters, OptimizerState optimizer) {
        Path adapters = saved.directory().resolve(ADAPTERS);
        Path moments = saved.directory().resolve(OPTIMIZER);
        SafetensorsFile weights = SafetensorsFile.open(adapters);
        SafetensorsFile state = SafetensorsFile.open(moments);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scratch = NDManager.newBaseManager()) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                if (!weights.has(e.getKey())) {
                    throw new IllegalArgumentException(adapters + " has no tensor '" + e.getKey()
                            + "': the checkpoint was written by a different recipe or model");
                }
                float[] values = weights.load(e.getKey(), scratch).toFloatArray();
                if (values.length != e.getValue().getShape().size()) {
                    throw new IllegalArgumentException(adapters + ": tensor '" + e.getKey() + "' has " + values.length
                            + " values, the run's parameter has " + e.getValue().getShape());
                }
                overwrite(e.getValue(), values);
            }
            Map<String, float[]> moment = new LinkedHashMap<>();
            for (String key : state.keys()) moment.put(key, state.load(key, scratch).toFloatArray());
            try {
                optimizer.loadState(moment, JSON.readTree(Files.readString(saved.directory().resolve(STATE))).path("optimizerStep").asLong());
            } catch (IOException ex) {
                throw new IllegalArgumentException("cannot read " + saved.directory().resolve(STATE) + ": " + ex.getMessage(), ex);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(moments + ": " + ex.getMessage(), ex);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Writes {@code tensors.get(key)} into {@code target} in place (a view writes through to what it views). */
    static void restoreInto(NDArray target, Map<String, float[]> tensors, String key) {
        float[] values = tensors.get(key);
        if (values == null) throw new IllegalArgumentException("optimizer state is missing " + key);
        if (values.length != target.getShape().size()) {
            throw new IllegalArgumentException("optimizer state " + key + " has " + values.length
                    + " values, the parameter has " + target.getShape().size());
        }
        overwrite(target, values);
    }

    private static void overwrite(NDArray target, float[] values) {
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            TorchKernels.copyInto(target, source);
        }
    }

    private static State readState(Path dir) throws IOException {
        Path file = dir.resolve(STATE);
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException("cannot read checkpoint state " + file + ": " + e.getMessage(), e);
        }
        for (String field : List.of("step", "seed", "recipe")) {
            if (!json.has(field)) throw new IOException("checkpoint state " + file + " has no '" + field + "'");
        }
        Map<String, String> extra = new LinkedHashMap<>();
        json.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asText()));
        return new State(json.get("step").asLong(), json.get("seed").asLong(), JSON.writeValueAsString(json.get("recipe")),
                json.path("modelId").asText(""), json.path("styleId").asText(""), extra);
    }

    private List<Path> complete() throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .forEach(out::add);
        }
        out.sort(Comparator.comparingLong(TrainingCheckpoints::stepOf));
        return out;
    }

    private static long stepOf(Path dir) {
        return stepOf(dir.getFileName().toString());
    }

    /** The step of a checkpoint folder's name ({@code checkpoint-000040} → 40), or -1 for any other name. */
    public static long stepOf(String folderName) {
        if (!folderName.startsWith(PREFIX)) return -1;
        try {
            return Long.parseLong(folderName.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Keeps the newest {@code keep} checkpoints, and removes the unfinished folder a killed attempt left
     * (only one attempt writes under a root at a time, so any other {@code .incomplete-} folder is dead).
     */
    private void prune() throws IOException {
        List<Path> all = complete();
        for (int i = 0; i < all.size() - keep; i++) deleteTree(all.get(i));
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(INCOMPLETE)).toList()) deleteTree(p);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

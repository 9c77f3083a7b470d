package tenshot.studio;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.store.ArtifactStore;
import tenshot.store.BaseModelCache;

/**
 * The base models runs can use. With {@code tenshot.models-dir} set, every diffusers folder in it
 * (one with {@code model_index.json}) is a model, named by its folder. Without it, the studio uses the
 * demo model in {@code <data-dir>/models/demo-sd21}: the SD 2.1 architecture with random weights,
 * whose images are noise. Models in the artifact store under {@code models/<name>/} come after these
 * (a local folder of the same name wins); a worker copies one to {@code tenshot.models-cache-dir} the
 * first time it needs it ({@link BaseModelCache}).
 */
@ApplicationScoped
public class BaseModels {

    public static final String DEMO = "demo-sd21";

    /** One base model. */
    public record BaseModel(String id, String path, boolean demo, boolean installed, String note) {}

    @ConfigProperty(name = "tenshot.models-dir")
    Optional<Path> modelsDir;

    @ConfigProperty(name = "tenshot.data-dir", defaultValue = "./data")
    Path dataDir;

    @ConfigProperty(name = "tenshot.models-cache-dir")
    Optional<Path> cacheDir;

    @Inject
    ArtifactStore store;

    private BaseModelCache cache;

    public boolean demoOnly() {
        return modelsDir.isEmpty();
    }

    public Path demoPath() {
        return dataDir.resolve("models").resolve(DEMO).toAbsolutePath().normalize();
    }

    /**
     * The installed models, then those in the artifact store; lists the models directory and the store,
     * so never on the event loop ({@link BlockingIo}).
     */
    public List<BaseModel> list() {
        BlockingIo.requireOffEventLoop("listing the models directory");
        List<BaseModel> models = new ArrayList<>(local());
        List<String> stored;
        try {
            stored = cache().stored();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the base models in the artifact store (" + BaseModelCache.PREFIX + ")", e);
        }
        for (String name : stored) {
            if (models.stream().anyMatch(m -> m.id().equals(name))) continue;
            models.add(new BaseModel(name, cache().folderOf(name).toString(), false, true, "in the artifact store ("
                    + BaseModelCache.PREFIX + name + "/); each worker copies it to its local disk the first time a job needs it"));
        }
        return models;
    }

    /**
     * The folder of an installed model on this host; a model from the artifact store is copied to this
     * host's cache first (once), so this may take as long as the download.
     */
    public Optional<Path> folder(String id) throws IOException {
        Optional<BaseModel> here = local().stream().filter(m -> m.id().equals(id) && m.installed()).findFirst();
        if (here.isPresent()) return Optional.of(Path.of(here.get().path()));
        Optional<Path> copied = cache().copied(id);
        if (copied.isPresent()) return copied;
        if (!cache().stored().contains(id)) return Optional.empty();
        return Optional.of(cache().folder(id));
    }

    private synchronized BaseModelCache cache() {
        if (cache == null) {
            cache = new BaseModelCache(store, cacheDir.orElse(dataDir.resolve("models-cache")));
        }
        return cache;
    }

    private List<BaseModel> local() {
        if (modelsDir.isEmpty()) {
            Path demo = demoPath();
            return List.of(new BaseModel(DEMO, demo.toString(), true, Files.isRegularFile(demo.resolve("model_index.json")),
                    "demo model: the SD 2.1 architecture with random weights; its images are noise"));
        }
        List<BaseModel> models = new ArrayList<>();
        Path dir = modelsDir.get().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) return models;
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                if (Files.isRegularFile(child.resolve("model_index.json"))) {
                    models.add(new BaseModel(child.getFileName().toString(), child.toString(), false, true,
                            "Stable Diffusion checkpoint in diffusers layout"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models directory " + dir, e);
        }
        return models;
    }

    public Optional<BaseModel> find(String id) {
        return list().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** The model a run gets when it names none: the first one. */
    public Optional<BaseModel> defaultModel() {
        return list().stream().findFirst();
    }
}

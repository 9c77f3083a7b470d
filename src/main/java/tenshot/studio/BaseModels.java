package tenshot.studio;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The base models runs can use. With {@code tenshot.models-dir} set, every diffusers folder in it
 * (one with {@code model_index.json}) is a model, named by its folder. Without it, the studio uses the
 * demo model in {@code <data-dir>/models/demo-sd21}: the SD 2.1 architecture with random weights,
 * whose images are noise.
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

    public boolean demoOnly() {
        return modelsDir.isEmpty();
    }

    public Path demoPath() {
        return dataDir.resolve("models").resolve(DEMO).toAbsolutePath().normalize();
    }

    /** The installed models; lists the models directory, so never on the event loop ({@link BlockingIo}). */
    public List<BaseModel> list() {
        BlockingIo.requireOffEventLoop("listing the models directory");
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

package tenshot.studio.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import tenshot.store.ArtifactStore;
import tenshot.studio.BaseModels;
import tenshot.worker.PermanentJobFailure;

/** What the engine handlers read: base model folders, and style sets staged from the store to disk. */
@ApplicationScoped
public class EngineInputs {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ArtifactStore store;

    @Inject
    BaseModels models;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tenshot.data-dir", defaultValue = "./data")
    Path dataDir;

    /**
     * The class-image cache of a base model, in the data directory that all workers share, so runs
     * with the same class-image settings reuse each other's images.
     */
    public Path classImageDir(String modelId) {
        return dataDir.resolve("class-images").resolve(modelId.replaceAll("[^A-Za-z0-9._-]", "_")).toAbsolutePath().normalize();
    }

    /** The folder of a base model on this host; one from the artifact store is copied to this host first. */
    public Path modelDir(String id) throws IOException {
        return models.folder(id)
                .orElseThrow(() -> new PermanentJobFailure("base model '" + id + "' is neither installed on this worker nor in the "
                        + "artifact store; installed: "
                        + models.list().stream().filter(BaseModels.BaseModel::installed).map(BaseModels.BaseModel::id).toList()));
    }

    /**
     * Writes the style set in the engine's folder layout, {@code images/{object}.png} and
     * {@code prompt.json}, into {@code dir} (replacing what an earlier attempt left there).
     */
    public Path stageStyle(RunSpec spec, Path dir) throws IOException {
        return stageStyle(spec.images(), spec.prompts(), dir);
    }

    /** {@link #stageStyle(RunSpec, Path)} for any stored style images and prompts (a board's styles). */
    public Path stageStyle(List<RunSpec.StyleImageRef> styleImages, List<String> promptList, Path dir) throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        for (RunSpec.StyleImageRef image : styleImages) {
            try (InputStream in = store.open(image.key())) {
                Files.copy(in, images.resolve(image.objectName() + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectNode prompts = JSON.createObjectNode();
        for (int i = 0; i < promptList.size(); i++) prompts.put(Integer.toString(i), promptList.get(i));
        Files.writeString(dir.resolve("prompt.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(prompts));
        return dir;
    }

    public List<BufferedImage> styleImages(RunSpec spec) throws IOException {
        return styleImages(spec.images());
    }

    public List<BufferedImage> styleImages(List<RunSpec.StyleImageRef> images) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        for (RunSpec.StyleImageRef image : images) {
            try (InputStream in = store.open(image.key())) {
                out.add(ImageIO.read(in));
            }
        }
        return out;
    }
}

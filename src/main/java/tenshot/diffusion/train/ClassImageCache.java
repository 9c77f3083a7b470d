package tenshot.diffusion.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import javax.imageio.ImageIO;

/**
 * Class (prior-preservation) images on disk, generated once per base model, prompt, seed and
 * generation settings and reused by every later run that asks for the same ones. Each image is
 * {@code <key>.png} with a {@code <key>.json} beside it saying what it is; the key is a hash of
 * everything that decides the pixels.
 */
public final class ClassImageCache {

    /** Everything that decides a class image's pixels. */
    public record Key(String modelId, String prompt, long seed, int steps, int size, double guidanceScale, String scheduler) {

        /** A hex SHA-256 over the fields, stable across runs and JVMs. */
        public String hash() {
            String canonical = String.join("\u0000", "v1", modelId, prompt, Long.toString(seed), Integer.toString(steps),
                    Integer.toString(size), Double.toString(guidanceScale), scheduler);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest, 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }
    }

    /** Makes the image for a key with the base model (no LoRA). */
    @FunctionalInterface
    public interface Generator {
        BufferedImage generate(Key key) throws IOException;
    }

    /** Makes the images for several keys at once (one denoising loop), in key order. */
    @FunctionalInterface
    public interface BatchGenerator {
        List<BufferedImage> generate(List<Key> keys) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;

    public ClassImageCache(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public Path imagePath(Key key) {
        return directory.resolve(key.hash() + ".png");
    }

    public boolean contains(Key key) {
        return Files.isRegularFile(imagePath(key));
    }

    /** The cached image for {@code key}, generating and storing it first when absent. */
    public BufferedImage getOrGenerate(Key key, Generator generator) throws IOException {
        Path image = imagePath(key);
        if (Files.isRegularFile(image)) {
            BufferedImage cached = ImageIO.read(image.toFile());
            if (cached != null) return cached;
            // an unreadable file (e.g. a crash mid-write on a filesystem without atomic moves) is regenerated
        }
        BufferedImage generated = generator.generate(key);
        store(key, generated);
        return generated;
    }

    /**
     * The images of {@code keys}, in order: cached ones read, the missing ones generated {@code batchSize}
     * at a time (duplicates once) and stored. {@code done} hears the count of keys ready so far.
     */
    public List<BufferedImage> getOrGenerateAll(List<Key> keys, int batchSize, BatchGenerator generator,
            IntConsumer done) throws IOException {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        Map<Key, BufferedImage> ready = new LinkedHashMap<>();
        List<Key> missing = new ArrayList<>();
        for (Key key : new LinkedHashSet<>(keys)) {
            BufferedImage cached = Files.isRegularFile(imagePath(key)) ? ImageIO.read(imagePath(key).toFile()) : null;
            if (cached != null) ready.put(key, cached);
            else missing.add(key);
        }
        done.accept(countReady(keys, ready));
        for (int from = 0; from < missing.size(); from += batchSize) {
            List<Key> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
            List<BufferedImage> images = generator.generate(batch);
            if (images.size() != batch.size()) {
                throw new IOException("class image generator returned " + images.size() + " images for " + batch.size() + " keys");
            }
            for (int i = 0; i < batch.size(); i++) {
                store(batch.get(i), images.get(i));
                ready.put(batch.get(i), images.get(i));
            }
            done.accept(countReady(keys, ready));
        }
        List<BufferedImage> out = new ArrayList<>();
        for (Key key : keys) out.add(ready.get(key));
        return out;
    }

    private static int countReady(List<Key> keys, Map<Key, BufferedImage> ready) {
        int n = 0;
        for (Key key : keys) if (ready.containsKey(key)) n++;
        return n;
    }

    /** Writes {@code image} as the key's PNG (atomically) with its JSON description. */
    private void store(Key key, BufferedImage generated) throws IOException {
        Path image = imagePath(key);
        if (generated == null) throw new IOException("class image generator returned nothing for '" + key.prompt() + "'");
        Files.createDirectories(directory);
        Path temp = Files.createTempFile(directory, key.hash(), ".png.tmp");
        try {
            if (!ImageIO.write(generated, "png", temp.toFile())) throw new IOException("no PNG writer for class image " + image);
            Files.move(temp, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        ObjectNode meta = JSON.createObjectNode();
        meta.put("model", key.modelId());
        meta.put("prompt", key.prompt());
        meta.put("seed", key.seed());
        meta.put("steps", key.steps());
        meta.put("size", key.size());
        meta.put("guidanceScale", key.guidanceScale());
        meta.put("scheduler", key.scheduler());
        Files.writeString(directory.resolve(key.hash() + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }
}

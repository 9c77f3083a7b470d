package tenshot.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Base models kept in the artifact store under {@code models/<name>/} (a diffusers folder, optionally with
 * a {@code SHA256SUMS} file in {@code sha256sum}'s format), copied to this host's disk the first time a job
 * needs one. A copy is downloaded into a temporary folder beside the cache, each file checked against the
 * store's size and, when {@code SHA256SUMS} lists it, its SHA-256, and then renamed into place, so a
 * model folder in the cache is always complete. Jobs of one process that need the same model at once
 * wait for one download.
 */
public final class BaseModelCache {

    public static final String PREFIX = "models/";
    public static final String MARKER = "model_index.json";
    public static final String CHECKSUMS = "SHA256SUMS";

    private static final String PARTIAL = ".partial-";
    private static final Pattern SUM_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    private final ArtifactStore store;
    private final Path dir;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    /** {@code dir}: this host's cache folder, one subfolder per model. */
    public BaseModelCache(ArtifactStore store, Path dir) {
        this.store = store;
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The models in the store: folders under {@code models/} that hold {@code model_index.json}, sorted. */
    public List<String> stored() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (String key : store.list(PREFIX)) {
            String rest = key.substring(PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).equals(MARKER)) names.add(rest.substring(0, slash));
        }
        return new ArrayList<>(names);
    }

    /** Where the model is (or will be) on this host. */
    public Path folderOf(String name) {
        return dir.resolve(checkName(name));
    }

    /** The model's folder when this host already has a copy (no look at the store), else empty. */
    public Optional<Path> copied(String name) {
        Path target;
        try {
            target = folderOf(name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Files.isDirectory(target) ? Optional.of(target) : Optional.empty();
    }

    /**
     * The model's folder on this host, downloaded from the store first if this host has no copy.
     *
     * @throws java.nio.file.NoSuchFileException when the store has no {@code models/<name>/model_index.json}
     * @throws IOException when a download fails or a file does not match its size or checksum (nothing is
     *     left in the cache then)
     */
    public Path folder(String name) throws IOException {
        Path target = folderOf(name);
        if (Files.isDirectory(target)) return target;
        synchronized (locks.computeIfAbsent(name, n -> new Object())) {
            if (Files.isDirectory(target)) return target;
            download(name, target);
            return target;
        }
    }

    private void download(String name, Path target) throws IOException {
        String prefix = PREFIX + name + "/";
        List<String> keys = store.list(prefix);
        if (!keys.contains(prefix + MARKER)) {
            throw new java.nio.file.NoSuchFileException(prefix + MARKER, null,
                    "base model '" + name + "' is not in the artifact store (no " + prefix + MARKER + ")");
        }
        Map<String, String> sums = keys.contains(prefix + CHECKSUMS) ? checksums(prefix + CHECKSUMS) : Map.of();
        Files.createDirectories(dir);
        Path partial = Files.createTempDirectory(dir, PARTIAL + name + "-");
        try {
            for (String key : keys) {
                String relative = key.substring(prefix.length());
                Path file = partial.resolve(relative).normalize();
                if (!file.startsWith(partial)) throw new IOException("base model '" + name + "': key " + key + " leaves the model folder");
                Files.createDirectories(file.getParent());
                long expected = store.stat(key).orElseThrow(() -> new IOException(
                        "base model '" + name + "': " + key + " disappeared from the store while it was copied")).size();
                MessageDigest sha = sha256();
                long copied;
                try (InputStream in = store.open(key); OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
                    copied = in.transferTo(out);
                }
                if (copied != expected) {
                    throw new IOException("base model '" + name + "': " + relative + " arrived with " + copied
                            + " bytes, the store holds " + expected);
                }
                String sum = sums.get(relative);
                String actual = java.util.HexFormat.of().formatHex(sha.digest());
                if (sum != null && !sum.equalsIgnoreCase(actual)) {
                    throw new IOException("base model '" + name + "': " + relative + " has SHA-256 " + actual + ", "
                            + CHECKSUMS + " says " + sum.toLowerCase(java.util.Locale.ROOT));
                }
            }
            for (String listed : sums.keySet()) {
                if (!keys.contains(prefix + listed)) {
                    throw new IOException("base model '" + name + "': " + CHECKSUMS + " lists " + listed + ", which is not in the store");
                }
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException another) {
                // another process on this host put its complete copy there first
                deleteTree(partial);
            }
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(partial);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Map<String, String> checksums(String key) throws IOException {
        Map<String, String> sums = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(store.open(key), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) continue;
                Matcher m = SUM_LINE.matcher(line.strip());
                if (!m.matches()) {
                    throw new IOException(key + " line " + number + " is not '<64 hex digits>  <path>': " + line);
                }
                sums.put(m.group(2).startsWith("./") ? m.group(2).substring(2) : m.group(2), m.group(1));
            }
        }
        return sums;
    }

    private static String checkName(String name) {
        ArtifactStore.checkKey(name);
        if (name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("base model name must be one folder name not starting with '.': " + name);
        }
        return name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

package tenshot.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where runs and style sets keep their files (images, LoRAs, grids, zips), addressed by keys such as
 * {@code stylesets/12/images/boat.png}. Every host of a deployment sees the same store. Reads and
 * writes stream; a write becomes visible only when it is committed whole.
 */
public interface ArtifactStore {

    /** Size and age of a stored artifact. */
    record Info(String key, long size, Instant lastModified) {}

    /** A write in progress: the bytes go to {@link #stream()}, and {@link #commit()} publishes them. */
    interface PendingWrite extends Closeable {
        OutputStream stream();

        /** Publishes the content under its key, replacing any earlier content. */
        void commit() throws IOException;

        /** Discards the content unless it was committed. */
        @Override
        void close() throws IOException;
    }

    PendingWrite begin(String key) throws IOException;

    /** Reads the whole artifact; throws {@link java.nio.file.NoSuchFileException} when it is absent. */
    InputStream open(String key) throws IOException;

    /** Reads {@code length} bytes from {@code offset} (an HTTP range). */
    InputStream open(String key, long offset, long length) throws IOException;

    Optional<Info> stat(String key) throws IOException;

    /** Keys under a prefix ({@code "runs/4/"}), sorted. */
    List<String> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /** Deletes every key under a prefix. */
    void deleteAll(String prefix) throws IOException;

    default long put(String key, InputStream content) throws IOException {
        try (PendingWrite write = begin(key)) {
            long n = content.transferTo(write.stream());
            write.commit();
            return n;
        }
    }

    default long put(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return put(key, in);
        }
    }

    default long put(String key, byte[] content) throws IOException {
        return put(key, new java.io.ByteArrayInputStream(content));
    }

    default boolean exists(String key) throws IOException {
        return stat(key).isPresent();
    }

    /**
     * Checks a key: slash-separated segments, none empty, {@code .} or {@code ..}, no backslash and
     * no control characters. Returns the key.
     */
    static String checkKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("artifact key is empty");
        if (key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("artifact key must not start or end with '/': " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("artifact key has an empty, '.' or '..' segment: " + key);
            }
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new IllegalArgumentException("artifact key has a control character or backslash: " + key);
            }
        }
        return key;
    }

    /** A prefix is a key that may end with '/'. */
    static String checkPrefix(String prefix) {
        if (prefix.isEmpty()) return prefix;
        checkKey(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }
}

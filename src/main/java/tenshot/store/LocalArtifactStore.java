package tenshot.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Artifacts as files under one directory. Writes go to {@code .tmp/} beside the artifacts and are
 * renamed into place on commit, so a reader never sees half a file and an abandoned write leaves
 * nothing behind but a temp file.
 */
public final class LocalArtifactStore implements ArtifactStore {

    private final Path root;
    private final Path tmp;

    public LocalArtifactStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        Files.createDirectories(tmp);
    }

    public Path root() {
        return root;
    }

    /** The file that holds a key; the key is checked so the result always lies under the root. */
    public Path pathOf(String key) {
        Path path = root.resolve(ArtifactStore.checkKey(key)).normalize();
        if (!path.startsWith(root) || path.startsWith(tmp)) {
            throw new IllegalArgumentException("artifact key leaves the store: " + key);
        }
        return path;
    }

    @Override
    public PendingWrite begin(String key) throws IOException {
        Path target = pathOf(key);
        Path temp = Files.createTempFile(tmp, "write-", ".part");
        OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return new PendingWrite() {
            private boolean done;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                if (done) throw new IllegalStateException("write of " + key + " already finished");
                out.close();
                Files.createDirectories(target.getParent());
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                done = true;
            }

            @Override
            public void close() throws IOException {
                if (!done) {
                    done = true;
                    out.close();
                    Files.deleteIfExists(temp);
                }
            }
        };
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(existing(key));
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range for " + key);
        SeekableByteChannel channel = Files.newByteChannel(existing(key));
        channel.position(offset);
        InputStream in = Channels.newInputStream(channel);
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) return -1;
                int b = super.read();
                if (b >= 0) left--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) return -1;
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }
        };
    }

    @Override
    public Optional<Info> stat(String key) throws IOException {
        Path path = pathOf(key);
        if (!Files.isRegularFile(path)) return Optional.empty();
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        return Optional.of(new Info(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        ArtifactStore.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : pathOf(prefix.substring(0, slash));
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(dir)) return keys;
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(tmp))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix))
                    .sorted()
                    .forEach(keys::add);
        }
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        for (String key : list(prefix)) delete(key);
        if (prefix.endsWith("/")) {
            Path dir = pathOf(prefix.substring(0, prefix.length() - 1));
            if (Files.isDirectory(dir)) {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        try (Stream<Path> rest = Files.list(d)) {
                            if (rest.findAny().isEmpty()) Files.delete(d);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        }
    }

    private Path existing(String key) throws IOException {
        Path path = pathOf(key);
        if (!Files.isRegularFile(path)) throw new NoSuchFileException(key);
        return path;
    }
}

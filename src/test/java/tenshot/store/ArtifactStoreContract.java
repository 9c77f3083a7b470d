package tenshot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ArtifactStore} promises, run against each implementation: a subclass supplies a
 * fresh, empty store per test.
 */
abstract class ArtifactStoreContract {

    /** Larger than three parts of the smallest multipart size, so S3 writes go through several parts. */
    static final int LARGE = 3 * S3ArtifactStore.MIN_PART_SIZE + 12345;

    ArtifactStore store;

    abstract ArtifactStore newStore() throws Exception;

    @BeforeEach
    void freshStore() throws Exception {
        store = newStore();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void putThenReadBack() throws Exception {
        byte[] content = "a LoRA, say".getBytes(StandardCharsets.UTF_8);
        assertEquals(content.length, store.put("runs/1/lora.safetensors", content));
        assertArrayEquals(content, read(store.open("runs/1/lora.safetensors")));
        ArtifactStore.Info info = store.stat("runs/1/lora.safetensors").orElseThrow();
        assertEquals("runs/1/lora.safetensors", info.key());
        assertEquals(content.length, info.size());
        assertTrue(store.exists("runs/1/lora.safetensors"));
    }

    @Test
    void emptyArtifact() throws Exception {
        store.put("runs/1/empty", new byte[0]);
        assertEquals(0, store.stat("runs/1/empty").orElseThrow().size());
        assertArrayEquals(new byte[0], read(store.open("runs/1/empty")));
    }

    @Test
    void largeWriteStreamsAndReadsBackExactly() throws Exception {
        byte[] content = random(LARGE, 7);
        try (ArtifactStore.PendingWrite write = store.begin("runs/2/submission.zip")) {
            // odd chunk sizes, so part boundaries fall inside writes
            for (int off = 0; off < content.length; off += 777_777) {
                write.stream().write(content, off, Math.min(777_777, content.length - off));
            }
            write.commit();
        }
        assertEquals(LARGE, store.stat("runs/2/submission.zip").orElseThrow().size());
        assertArrayEquals(content, read(store.open("runs/2/submission.zip")));
    }

    @Test
    void writeIsInvisibleUntilCommitted() throws Exception {
        byte[] content = random(LARGE, 3);
        try (ArtifactStore.PendingWrite write = store.begin("runs/3/grid.png")) {
            write.stream().write(content);
            assertTrue(store.stat("runs/3/grid.png").isEmpty());
            assertEquals(List.of(), store.list("runs/3/"));
            assertThrows(NoSuchFileException.class, () -> store.open("runs/3/grid.png"));
            write.commit();
        }
        assertArrayEquals(content, read(store.open("runs/3/grid.png")));
    }

    @Test
    void abandonedWriteLeavesNothingAndKeepsTheOldContent() throws Exception {
        store.put("runs/4/config.json", "old".getBytes(StandardCharsets.UTF_8));
        try (ArtifactStore.PendingWrite write = store.begin("runs/4/config.json")) {
            write.stream().write(random(10, 10));
        }
        // a large abandoned write goes to a key of its own: S3Mock 4.7 drops an existing object when a
        // multipart upload to the same key is aborted, which AWS S3 does not
        for (int size : new int[] {10, LARGE}) {
            try (ArtifactStore.PendingWrite write = store.begin("runs/4/other-" + size)) {
                write.stream().write(random(size, size));
            }
        }
        assertEquals("old", new String(read(store.open("runs/4/config.json")), StandardCharsets.UTF_8));
        assertEquals(List.of("runs/4/config.json"), store.list("runs/4/"));
    }

    @Test
    void closingTheStreamDoesNotCommitOrAbort() throws Exception {
        // a zip writer closes the stream it writes to before the caller commits
        try (ArtifactStore.PendingWrite write = store.begin("runs/5/submission.zip")) {
            try (ZipOutputStream zip = new ZipOutputStream(write.stream())) {
                zip.putNextEntry(new ZipEntry("00/boat.png"));
                zip.write("png".getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            assertFalse(store.exists("runs/5/submission.zip"));
            write.commit();
        }
        try (ZipInputStream zip = new ZipInputStream(store.open("runs/5/submission.zip"))) {
            assertEquals("00/boat.png", zip.getNextEntry().getName());
            assertEquals("png", new String(zip.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void commitReplacesEarlierContent() throws Exception {
        store.put("runs/6/a", random(LARGE, 1));
        store.put("runs/6/a", "short".getBytes(StandardCharsets.UTF_8));
        assertEquals("short", new String(read(store.open("runs/6/a")), StandardCharsets.UTF_8));
        assertEquals(5, store.stat("runs/6/a").orElseThrow().size());
    }

    @Test
    void aWriteCommitsOnce() throws Exception {
        try (ArtifactStore.PendingWrite write = store.begin("runs/7/a")) {
            write.stream().write(1);
            write.commit();
            assertThrows(IllegalStateException.class, write::commit);
        }
    }

    @Test
    void rangedReads() throws Exception {
        byte[] content = random(LARGE, 11);
        store.put("runs/8/lora.safetensors", content);
        int from = S3ArtifactStore.MIN_PART_SIZE - 10;
        assertArrayEquals(Arrays.copyOfRange(content, from, from + 1000), read(store.open("runs/8/lora.safetensors", from, 1000)));
        assertArrayEquals(Arrays.copyOfRange(content, 0, 1), read(store.open("runs/8/lora.safetensors", 0, 1)));
        assertArrayEquals(Arrays.copyOfRange(content, LARGE - 100, LARGE),
                read(store.open("runs/8/lora.safetensors", LARGE - 100, 100)));
        // a range that runs past the end reads what is there; one that starts past it reads nothing
        assertArrayEquals(Arrays.copyOfRange(content, LARGE - 10, LARGE),
                read(store.open("runs/8/lora.safetensors", LARGE - 10, 1000)));
        assertArrayEquals(new byte[0], read(store.open("runs/8/lora.safetensors", LARGE + 5, 10)));
        assertArrayEquals(new byte[0], read(store.open("runs/8/lora.safetensors", 3, 0)));
        assertThrows(IllegalArgumentException.class, () -> store.open("runs/8/lora.safetensors", -1, 3));
        assertThrows(NoSuchFileException.class, () -> store.open("runs/8/missing", 0, 10));
    }

    @Test
    void missingArtifacts() throws Exception {
        assertThrows(NoSuchFileException.class, () -> store.open("runs/9/nothing.png"));
        assertTrue(store.stat("runs/9/nothing.png").isEmpty());
        assertFalse(store.exists("runs/9/nothing.png"));
        store.delete("runs/9/nothing.png");
    }

    @Test
    void listByPrefixIsSortedAndStringPrefixed() throws Exception {
        for (String key : List.of("runs/40/x", "runs/4/images/b.png", "runs/4/images/a.png", "runs/4/lora.safetensors",
                "stylesets/4/images/a.png")) {
            store.put(key, key.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("runs/4/images/a.png", "runs/4/images/b.png", "runs/4/lora.safetensors"), store.list("runs/4/"));
        assertEquals(List.of("runs/4/images/a.png", "runs/4/images/b.png", "runs/4/lora.safetensors", "runs/40/x"),
                store.list("runs/4"));
        assertEquals(List.of("runs/4/images/a.png", "runs/4/images/b.png"), store.list("runs/4/images/"));
        assertEquals(List.of(), store.list("runs/5/"));
        assertEquals(5, store.list("").size());
    }

    @Test
    void deleteAndDeleteAll() throws Exception {
        for (String key : List.of("runs/1/a", "runs/1/b/c", "runs/10/a", "runs/2/a")) store.put(key, new byte[] {1});
        store.delete("runs/2/a");
        assertFalse(store.exists("runs/2/a"));
        store.deleteAll("runs/1/");
        assertEquals(List.of("runs/10/a"), store.list("runs/"));
        store.deleteAll("runs/9/");
    }

    @Test
    void badKeysAreRefusedByName() {
        for (String key : List.of("", "/runs/1/a", "runs/1/", "runs//a", "runs/../etc/passwd", "runs/./a", "runs\\a", "runs/a\nb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.put(key, new byte[] {1}), key);
            assertTrue(e.getMessage().contains("artifact key"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.open(key), key);
        }
        assertThrows(IllegalArgumentException.class, () -> store.list("../"));
    }

    @Test
    void writesToOneStoreAreSeenThroughAnother() throws Exception {
        byte[] content = random(1000, 5);
        store.put("runs/11/a", content);
        ArtifactStore other = sameStoreAgain();
        assertArrayEquals(content, read(other.open("runs/11/a")));
        other.delete("runs/11/a");
        assertFalse(store.exists("runs/11/a"));
    }

    /** A second handle on the same storage (another host's view). */
    abstract ArtifactStore sameStoreAgain() throws Exception;

}

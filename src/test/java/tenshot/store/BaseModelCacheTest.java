package tenshot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Base models from an S3 bucket (S3Mock, started by the test) cached on a worker's disk. */
class BaseModelCacheTest {

    static S3Client client;

    @TempDir
    Path cacheDir;

    S3ArtifactStore bucket;
    Counting store;

    /** A small model folder: the marker, a config, and a weights file larger than one multipart part. */
    final Map<String, byte[]> model = new LinkedHashMap<>();

    @BeforeAll
    static void server() throws Exception {
        client = S3MockServer.shared().client();
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @BeforeEach
    void bucketWithAModel() throws Exception {
        bucket = new S3ArtifactStore(client, S3MockServer.BUCKET, "models-test-" + UUID.randomUUID() + "/", S3ArtifactStore.MIN_PART_SIZE);
        store = new Counting(bucket);
        byte[] weights = new byte[(int) S3ArtifactStore.MIN_PART_SIZE + 12345];
        new Random(7).nextBytes(weights);
        model.put("model_index.json", "{\"_class_name\": \"StableDiffusionPipeline\"}".getBytes(StandardCharsets.UTF_8));
        model.put("unet/config.json", "{\"sample_size\": 96}".getBytes(StandardCharsets.UTF_8));
        model.put("unet/diffusion_pytorch_model.safetensors", weights);
        for (Map.Entry<String, byte[]> file : model.entrySet()) bucket.put("models/sd21/" + file.getKey(), file.getValue());
    }

    @Test
    void concurrentJobsDownloadAStoredModelOnceAndLaterWorkersOfTheHostReuseIt() throws Exception {
        bucket.put("models/other/model_index.json", "{}".getBytes(StandardCharsets.UTF_8));
        bucket.put("models/not-a-model/readme.txt", "no marker".getBytes(StandardCharsets.UTF_8));
        BaseModelCache cache = new BaseModelCache(store, cacheDir);
        assertEquals(List.of("other", "sd21"), cache.stored());

        ExecutorService jobs = Executors.newFixedThreadPool(6);
        List<Future<Path>> folders = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int i = 0; i < 6; i++) folders.add(jobs.submit(() -> {
                start.await();
                return cache.folder("sd21");
            }));
            start.countDown();
            for (Future<Path> folder : folders) assertEquals(cacheDir.resolve("sd21").toAbsolutePath(), folder.get());
        } finally {
            jobs.shutdownNow();
        }
        assertSameFiles(cacheDir.resolve("sd21"));
        for (String file : model.keySet()) assertEquals(1, store.opens("models/sd21/" + file), file + " downloaded once");
        try (Stream<Path> entries = Files.list(cacheDir)) {
            assertEquals(List.of(cacheDir.resolve("sd21")), entries.toList(), "no partial download is left beside the model");
        }

        BaseModelCache restarted = new BaseModelCache(store, cacheDir);
        assertEquals(java.util.Optional.of(cacheDir.resolve("sd21").toAbsolutePath()), restarted.copied("sd21"));
        assertEquals(java.util.Optional.empty(), restarted.copied("other"), "not copied to this host");
        assertEquals(java.util.Optional.empty(), restarted.copied("../sd21"), "not a model name");
        assertEquals(cacheDir.resolve("sd21").toAbsolutePath(), restarted.folder("sd21"));
        for (String file : model.keySet()) assertEquals(1, store.opens("models/sd21/" + file), file + " is not downloaded again");
    }

    @Test
    void checksumsAreVerifiedAndAMismatchLeavesNothingInTheCache() throws Exception {
        StringBuilder sums = new StringBuilder();
        for (Map.Entry<String, byte[]> file : model.entrySet()) {
            byte[] content = file.getKey().equals("unet/config.json") ? "{\"sample_size\": 64}".getBytes(StandardCharsets.UTF_8)
                    : file.getValue();
            sums.append(sha256(content)).append("  ").append(file.getKey()).append('\n');
        }
        bucket.put("models/sd21/SHA256SUMS", sums.toString().getBytes(StandardCharsets.UTF_8));
        BaseModelCache cache = new BaseModelCache(store, cacheDir);

        IOException wrong = assertThrows(IOException.class, () -> cache.folder("sd21"));
        assertTrue(wrong.getMessage().contains("unet/config.json has SHA-256 " + sha256(model.get("unet/config.json"))),
                wrong.getMessage());
        assertEmpty(cacheDir);

        // the right sums: the copy is taken
        bucket.put("models/sd21/SHA256SUMS", sums.toString().replace(
                sha256("{\"sample_size\": 64}".getBytes(StandardCharsets.UTF_8)), sha256(model.get("unet/config.json")))
                .getBytes(StandardCharsets.UTF_8));
        assertSameFiles(cache.folder("sd21"));

        // a sums file naming a file the store lacks is refused too
        bucket.put("models/lacking/model_index.json", "{}".getBytes(StandardCharsets.UTF_8));
        bucket.put("models/lacking/SHA256SUMS", (sha256(new byte[0]) + "  vae/gone.bin\n").getBytes(StandardCharsets.UTF_8));
        IOException lacking = assertThrows(IOException.class, () -> cache.folder("lacking"));
        assertTrue(lacking.getMessage().contains("lists vae/gone.bin, which is not in the store"), lacking.getMessage());
        assertFalse(Files.exists(cacheDir.resolve("lacking")));
    }

    @Test
    void aDownloadCutShortIsRefusedByItsSizeAndTriedAgainNextTime() throws Exception {
        store.cut = in -> new java.io.BufferedInputStream(in) {
            private long left = 1000;

            @Override
            public synchronized int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) return -1;
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }
        };
        BaseModelCache cache = new BaseModelCache(store, cacheDir);
        IOException cut = assertThrows(IOException.class, () -> cache.folder("sd21"));
        assertTrue(cut.getMessage().contains("unet/diffusion_pytorch_model.safetensors arrived with 1000 bytes, the store holds "
                + model.get("unet/diffusion_pytorch_model.safetensors").length), cut.getMessage());
        assertEmpty(cacheDir);

        store.cut = UnaryOperator.identity();
        assertSameFiles(cache.folder("sd21"));
    }

    @Test
    void aModelTheStoreLacksOrABadNameIsNamedInTheError() {
        BaseModelCache cache = new BaseModelCache(store, cacheDir);
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> cache.folder("sd15"));
        assertTrue(missing.getMessage().contains("base model 'sd15' is not in the artifact store (no models/sd15/model_index.json)"),
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cache.folder("../sd21"));
        assertThrows(IllegalArgumentException.class, () -> cache.folder(".partial-sd21"));
    }

    private void assertSameFiles(Path folder) throws IOException {
        List<String> files;
        try (Stream<Path> all = Files.walk(folder)) {
            files = all.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        assertEquals(model.keySet().stream().sorted().toList(),
                files.stream().filter(f -> !f.equals("SHA256SUMS")).toList());
        for (Map.Entry<String, byte[]> file : model.entrySet()) {
            assertArrayEquals(file.getValue(), Files.readAllBytes(folder.resolve(file.getKey())), file.getKey());
        }
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(), entries.toList(), "nothing is left in the cache");
        }
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** The bucket, counting whole reads per key; {@code cut} may shorten what a read returns. */
    static final class Counting implements ArtifactStore {
        private final ArtifactStore inner;
        private final Map<String, AtomicInteger> opens = new ConcurrentHashMap<>();
        volatile UnaryOperator<InputStream> cut = UnaryOperator.identity();

        Counting(ArtifactStore inner) {
            this.inner = inner;
        }

        int opens(String key) {
            AtomicInteger n = opens.get(key);
            return n == null ? 0 : n.get();
        }

        @Override
        public PendingWrite begin(String key) throws IOException {
            return inner.begin(key);
        }

        @Override
        public InputStream open(String key) throws IOException {
            opens.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return cut.apply(inner.open(key));
        }

        @Override
        public InputStream open(String key, long offset, long length) throws IOException {
            return inner.open(key, offset, length);
        }

        @Override
        public Optional<Info> stat(String key) throws IOException {
            return inner.stat(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return inner.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            inner.delete(key);
        }

        @Override
        public void deleteAll(String prefix) throws IOException {
            inner.deleteAll(prefix);
        }
    }
}

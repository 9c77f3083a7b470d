package tenshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The store contract against a real S3-compatible server (S3Mock, started by the test). */
class S3ArtifactStoreTest extends ArtifactStoreContract {

    static S3Client client;
    String root;

    @BeforeAll
    static void server() throws Exception {
        client = S3MockServer.shared().client();
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Override
    ArtifactStore newStore() {
        // each test in its own corner of the bucket, which also exercises the key prefix
        root = "test-" + UUID.randomUUID() + "/";
        return new S3ArtifactStore(client, S3MockServer.BUCKET, root, S3ArtifactStore.MIN_PART_SIZE);
    }

    @Override
    ArtifactStore sameStoreAgain() {
        return new S3ArtifactStore(client, S3MockServer.BUCKET, root, S3ArtifactStore.MIN_PART_SIZE);
    }

    @Test
    void keysLiveBelowTheRootPrefixInTheBucket() throws Exception {
        store.put("runs/1/a", "x".getBytes(StandardCharsets.UTF_8));
        List<String> objects = client.listObjectsV2(b -> b.bucket(S3MockServer.BUCKET).prefix(root)).contents().stream()
                .map(o -> o.key()).toList();
        assertEquals(List.of(root + "runs/1/a"), objects);
    }

    @Test
    void abandonedMultipartUploadIsAborted() throws Exception {
        try (ArtifactStore.PendingWrite write = store.begin("runs/1/big")) {
            write.stream().write(random(LARGE, 2));
            assertTrue(client.listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET).prefix(root)).uploads().size() == 1,
                    "a write larger than a part has an upload in progress");
        }
        assertEquals(0, client.listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET).prefix(root)).uploads().size());
    }

    @Test
    void configurationErrorsNameTheSetting() {
        assertThrows(IllegalArgumentException.class, () -> new S3ArtifactStore(client, " ", "", S3ArtifactStore.MIN_PART_SIZE));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new S3ArtifactStore(client, S3MockServer.BUCKET, "", 1024));
        assertTrue(small.getMessage().contains("part size"), small.getMessage());
    }

    @Test
    void aMissingBucketIsAnIOExceptionNamingIt() {
        ArtifactStore missing = new S3ArtifactStore(client, "no-such-bucket", "", S3ArtifactStore.MIN_PART_SIZE);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> missing.list("runs/"));
        assertTrue(e.getMessage().contains("no-such-bucket"), e.getMessage());
    }
}

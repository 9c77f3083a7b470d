package tenshot.store;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The studio as an API host only (no in-process worker) on the S3 store of a test-started S3Mock; the
 * workers are other processes.
 */
public class S3StoreProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tenshot.role", "api");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Server.class));
    }

    /** Starts the JVM's S3Mock and points the studio at it, with credentials the AWS SDK finds as usual. */
    public static class Server implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            S3MockServer server;
            try {
                server = S3MockServer.shared();
            } catch (Exception e) {
                throw new IllegalStateException("S3Mock did not start: " + e.getMessage(), e);
            }
            System.setProperty("aws.accessKeyId", S3MockServer.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", S3MockServer.SECRET_KEY);
            return storeSettings(server);
        }

        @Override
        public void stop() {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    /** The settings that put a studio process on this server's bucket. */
    public static Map<String, String> storeSettings(S3MockServer server) {
        return Map.of("tenshot.store", "s3",
                "tenshot.store.s3.endpoint", server.endpoint().toString(),
                "tenshot.store.s3.bucket", S3MockServer.BUCKET,
                "tenshot.store.s3.path-style", "true",
                "tenshot.store.s3.region", "us-east-1",
                "tenshot.store.s3.prefix", "resume-it/");
    }
}

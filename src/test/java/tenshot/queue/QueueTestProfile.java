package tenshot.queue;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** API role only (tests start their own workers), with short leases and backoff so tests stay quick. */
public class QueueTestProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "tenshot.role", "api",
                "tenshot.worker.lease", "2s",
                "tenshot.worker.heartbeat", "300ms",
                "tenshot.worker.poll", "200ms",
                "tenshot.worker.progress-interval", "50ms",
                "tenshot.worker.preview-interval", "50ms",
                "tenshot.worker.shutdown-grace", "3s",
                "tenshot.queue.reap-interval", "300ms",
                "tenshot.queue.retry-backoff", "200ms",
                "tenshot.queue.retry-backoff-max", "2s");
    }
}

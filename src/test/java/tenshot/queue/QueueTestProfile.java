package tenshot.queue;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** API role only (tests start their own workers), with short leases and backoff so tests stay quick. */
public class QueueTestProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("tenshot.role", "api"),
                Map.entry("tenshot.worker.lease", "3s"),
                Map.entry("tenshot.worker.heartbeat", "300ms"),
                Map.entry("tenshot.worker.poll", "200ms"),
                Map.entry("tenshot.worker.progress-interval", "50ms"),
                Map.entry("tenshot.worker.preview-interval", "50ms"),
                Map.entry("tenshot.worker.shutdown-grace", "3s"),
                Map.entry("tenshot.queue.reap-interval", "300ms"),
                Map.entry("tenshot.queue.retry-backoff", "200ms"),
                Map.entry("tenshot.queue.retry-backoff-max", "2s"),
                Map.entry("tenshot.events.heartbeat", "1s"));
    }
}

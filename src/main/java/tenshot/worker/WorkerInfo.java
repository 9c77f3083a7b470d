package tenshot.worker;

import java.time.Instant;
import java.util.List;

/**
 * A registered worker as the workers panel shows it.
 *
 * @param status {@code idle}, {@code busy}, {@code lost} (no heartbeat for a while) or {@code stopped}
 */
public record WorkerInfo(
        String id, String host, String device, List<String> kinds, String status, Long currentJob,
        Instant startedAt, Instant lastHeartbeat, Instant stoppedAt) {}

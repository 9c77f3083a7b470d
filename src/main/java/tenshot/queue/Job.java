package tenshot.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One row of the queue as stored.
 *
 * @param attempts attempts counted against {@code maxAttempts} since the job was (re)queued by hand
 * @param pendingDeps dependencies that have not succeeded yet; the job is claimable at zero
 * @param checkpoint a reference (path, artifact key) the handler saved to resume from
 * @param needs the device the job needs (see {@link Needs})
 * @param version the last change's number, increasing over all jobs; the SSE event id
 */
public record Job(
        long id, String kind, Long runId, String team, int priority, JsonNode payload, String dedupeKey,
        JobState state, List<Long> dependsOn, int pendingDeps, int attempts, int maxAttempts,
        Instant notBefore, String leaseOwner, Instant leaseExpiresAt, boolean cancelRequested,
        String cancelReason, JsonNode progress, String checkpoint, JsonNode result, String error,
        Instant createdAt, Instant startedAt, Instant finishedAt, long version, Needs needs) {}

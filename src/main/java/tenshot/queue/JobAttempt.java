package tenshot.queue;

import java.time.Instant;

/**
 * One try at a job by one worker.
 *
 * @param outcome {@code succeeded}, {@code failed}, {@code cancelled}, {@code lease_expired},
 *     {@code released} (the worker stopped and gave the job back), or null while it runs
 */
public record JobAttempt(
        int attempt, String workerId, Instant startedAt, Instant finishedAt, String outcome, String reason) {}

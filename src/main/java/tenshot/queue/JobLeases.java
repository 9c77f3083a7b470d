package tenshot.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The queue as a worker sees it: claim a job, hold its lease, report progress, and finish it.
 * Every write after the claim is guarded by the lease, so a worker whose lease expired (and whose
 * job may already run elsewhere) cannot overwrite anything.
 */
@ApplicationScoped
public class JobLeases {

    private final Pool pool;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Duration stallTimeout;
    private final TeamUsage usage;

    @Inject
    public JobLeases(Pool pool, TeamUsage usage,
                     @ConfigProperty(name = "tenshot.queue.retry-backoff", defaultValue = "10s") Duration backoff,
                     @ConfigProperty(name = "tenshot.queue.retry-backoff-max", defaultValue = "10m") Duration maxBackoff,
                     @ConfigProperty(name = "tenshot.queue.stall-timeout", defaultValue = "30m") Duration stallTimeout) {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("tenshot.queue.stall-timeout must be positive, got " + stallTimeout);
        }
        this.pool = pool;
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.stallTimeout = stallTimeout;
        this.usage = usage;
    }

    /**
     * Takes the next ready job of one of {@code kinds} that this worker's device may run (see
     * {@link GpuRouting}; the worker's row says whether it is a GPU worker): highest priority first;
     * then, on a GPU worker, jobs that need a GPU before jobs that a CPU worker answering for their kind
     * could run instead (with no such CPU worker they stay in line, so a GPU-only host still assembles);
     * then the team that used the least worker time lately ({@link TeamUsage}), then the team that was
     * served longest ago (round-robin between teams of equal use), then the oldest job.
     */
    public Uni<Optional<Claim>> claim(String workerId, Collection<String> kinds, Duration lease, GpuRouting routing) {
        String[] kindArray = kinds.toArray(String[]::new);
        return pool.withTransaction(conn -> conn.preparedQuery("WITH " + TeamUsage.cte("$6", "$7") + """
                        , candidate AS (
                            SELECT j.id FROM job j LEFT JOIN team_claim t ON t.team = j.team
                                   LEFT JOIN team_usage u ON u.team = j.team
                             WHERE j.state = 'queued' AND j.pending_deps = 0 AND j.not_before <= now()
                               AND j.kind = ANY($2)
                               AND (j.needs = 'any' OR $4
                                    OR coalesce((SELECT w.gpu FROM worker w WHERE w.id = $1), false)
                                    OR NOT EXISTS (SELECT 1 FROM worker g
                                                    WHERE g.gpu AND g.stopped_at IS NULL AND j.kind = ANY(g.kinds)
                                                      AND g.last_heartbeat >= now() - make_interval(secs => $5)))
                             ORDER BY j.priority DESC,
                                      (j.needs = 'any'
                                       AND coalesce((SELECT w.gpu FROM worker w WHERE w.id = $1), false)
                                       AND EXISTS (SELECT 1 FROM worker c
                                                    WHERE NOT c.gpu AND c.stopped_at IS NULL AND j.kind = ANY(c.kinds)
                                                      AND c.last_heartbeat >= now() - make_interval(secs => $5))),
                                      coalesce(u.quanta, 0), t.last_claimed_at ASC NULLS FIRST, j.id
                             LIMIT 1
                               FOR UPDATE OF j SKIP LOCKED)
                        UPDATE job SET state = 'running', attempts = job.attempts + 1, lease_owner = $1,
                                       lease_expires_at = now() + make_interval(secs => $3),
                                       started_at = coalesce(job.started_at, now()), error = NULL, progress_at = now()
                          FROM candidate WHERE job.id = candidate.id
                        RETURNING\s""" + JobRows.COLUMNS)
                .execute(Tuple.tuple().addString(workerId).addArrayOfString(kindArray).addDouble(seconds(lease))
                        .addBoolean(routing.cpuTakesGpuJobs()).addDouble(seconds(routing.lostAfter()))
                        .addDouble(usage.windowSeconds()).addDouble(usage.quantumSeconds()))
                .flatMap(rows -> {
                    if (rows.size() == 0) return Uni.createFrom().item(Optional.<Claim>empty());
                    Job job = JobRows.job(rows.iterator().next());
                    return conn.preparedQuery("""
                                    INSERT INTO team_claim (team, last_claimed_at) VALUES ($1, clock_timestamp())
                                    ON CONFLICT (team) DO UPDATE SET last_claimed_at = excluded.last_claimed_at""")
                            .execute(Tuple.of(job.team()))
                            .flatMap(x -> conn.preparedQuery("""
                                    INSERT INTO job_attempt (job_id, attempt, worker_id)
                                    VALUES ($1, (SELECT coalesce(max(attempt), 0) + 1 FROM job_attempt WHERE job_id = $1), $2)
                                    RETURNING attempt""").execute(Tuple.of(job.id(), workerId)))
                            .flatMap(attemptRows -> conn.preparedQuery(
                                            "UPDATE worker SET current_job = $1, last_heartbeat = now() WHERE id = $2")
                                    .execute(Tuple.of(job.id(), workerId))
                                    .map(x -> Optional.of(new Claim(job, attemptRows.iterator().next().getInteger("attempt")))));
                }));
    }

    /** Extends the lease; tells whether it is still held and whether a cancel was requested. */
    public Uni<LeaseStatus> renew(long jobId, String workerId, Duration lease) {
        return pool.preparedQuery("""
                        UPDATE job SET lease_expires_at = now() + make_interval(secs => $3)
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'
                        RETURNING cancel_requested, cancel_reason""")
                .execute(Tuple.of(jobId, workerId, seconds(lease)))
                .map(JobLeases::status);
    }

    /** Stores the job's progress (a small JSON object; it is announced to listeners). */
    public Uni<LeaseStatus> progress(long jobId, String workerId, String progressJson) {
        return pool.preparedQuery("""
                        UPDATE job SET progress = $3::text::jsonb, progress_at = now()
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'
                        RETURNING cancel_requested, cancel_reason""")
                .execute(Tuple.of(jobId, workerId, progressJson))
                .map(JobLeases::status);
    }

    /** Replaces the job's latest preview image: of the whole job ({@code part} "") or of one named part of it. */
    public Uni<Void> preview(long jobId, String workerId, String part, byte[] png) {
        return pool.preparedQuery("""
                        INSERT INTO job_preview (job_id, part, png, updated_at)
                        SELECT id, $3, $4, now() FROM job WHERE id = $1 AND lease_owner = $2 AND state = 'running'
                        ON CONFLICT (job_id, part) DO UPDATE SET png = excluded.png, updated_at = excluded.updated_at""")
                .execute(Tuple.of(jobId, workerId, part, io.vertx.core.buffer.Buffer.buffer(png)))
                .replaceWithVoid();
    }

    /** Records where the job can resume from; false when the lease is no longer held. */
    public Uni<Boolean> checkpoint(long jobId, String workerId, String reference) {
        return pool.preparedQuery("""
                        UPDATE job SET checkpoint = $3
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'""")
                .execute(Tuple.of(jobId, workerId, reference))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The job is done; its dependents may run. False when the lease was lost before. */
    public Uni<Boolean> succeed(long jobId, String workerId, int attempt, String resultJson) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE job SET state = 'succeeded', result = $3::text::jsonb, finished_at = now(), error = NULL,
                                       lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'""")
                .execute(Tuple.of(jobId, workerId, resultJson))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) return Uni.createFrom().item(false);
                    return closeAttempt(conn, jobId, attempt, "succeeded", null, null)
                            .flatMap(x -> Dependents.release(conn, jobId))
                            .flatMap(x -> idle(conn, workerId, jobId))
                            .map(x -> true);
                }));
    }

    /**
     * The attempt failed. The job goes back to the queue after an exponential backoff while it has
     * attempts left and the failure is {@link FailureKind#INTERNAL}; otherwise it fails and its
     * dependents are cancelled. False when the lease was lost before.
     */
    public Uni<Boolean> fail(long jobId, String workerId, int attempt, String reason, String detail, FailureKind kind) {
        boolean permanent = kind == FailureKind.INPUT;
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        SELECT kind, attempts, max_attempts FROM job
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running' FOR UPDATE""")
                .execute(Tuple.of(jobId, workerId))
                .flatMap(rows -> {
                    if (rows.size() == 0) return Uni.createFrom().item(false);
                    Row row = rows.iterator().next();
                    int attempts = row.getInteger("attempts");
                    boolean last = permanent || attempts >= row.getInteger("max_attempts");
                    Uni<?> update = last
                            ? conn.preparedQuery("""
                                    UPDATE job SET state = 'failed', error = $2, finished_at = now(),
                                                   lease_owner = NULL, lease_expires_at = NULL
                                     WHERE id = $1""").execute(Tuple.of(jobId, reason))
                                    .flatMap(x -> Dependents.cancel(conn, jobId,
                                            Dependents.reason(jobId, row.getString("kind"), "failed", reason)))
                            : conn.preparedQuery("""
                                    UPDATE job SET state = 'queued', error = $2, lease_owner = NULL, lease_expires_at = NULL,
                                                   not_before = now() + make_interval(secs => $3)
                                     WHERE id = $1""").execute(Tuple.of(jobId, reason, seconds(backoffAfter(attempts))));
                    return update.flatMap(x -> closeAttempt(conn, jobId, attempt, "failed", kind, reason, detail))
                            .flatMap(x -> idle(conn, workerId, jobId))
                            .map(x -> true);
                }));
    }

    /** The handler stopped because the job was cancelled; dependents are cancelled too. */
    public Uni<Boolean> cancelled(long jobId, String workerId, int attempt, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE job SET state = 'cancelled', finished_at = now(), lease_owner = NULL,
                                       lease_expires_at = NULL, cancel_reason = coalesce(cancel_reason, $3),
                                       error = coalesce(cancel_reason, $3)
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'
                        RETURNING kind, cancel_reason""")
                .execute(Tuple.of(jobId, workerId, reason))
                .flatMap(rows -> {
                    if (rows.size() == 0) return Uni.createFrom().item(false);
                    Row row = rows.iterator().next();
                    String why = row.getString("cancel_reason");
                    return closeAttempt(conn, jobId, attempt, "cancelled", why, null)
                            .flatMap(x -> Dependents.cancel(conn, jobId,
                                    Dependents.reason(jobId, row.getString("kind"), "was cancelled", why)))
                            .flatMap(x -> idle(conn, workerId, jobId))
                            .map(x -> true);
                }));
    }

    /** The worker is stopping: the job goes back to the queue at once, and this attempt does not count. */
    public Uni<Boolean> release(long jobId, String workerId, int attempt, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE job SET state = 'queued', attempts = greatest(job.attempts - 1, 0), lease_owner = NULL,
                                       lease_expires_at = NULL, not_before = now()
                         WHERE id = $1 AND lease_owner = $2 AND state = 'running'""")
                .execute(Tuple.of(jobId, workerId))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) return Uni.createFrom().item(false);
                    return closeAttempt(conn, jobId, attempt, "released", reason, null)
                            .flatMap(x -> idle(conn, workerId, jobId))
                            .map(x -> true);
                }));
    }

    /**
     * Takes back every running job whose lease expired (its worker died or lost the database) or whose
     * progress has not moved for {@code tenshot.queue.stall-timeout} (a hung engine; its worker loses the
     * lease and drops whatever it does later): it is queued again after the retry backoff to resume from
     * its checkpoint, failed when it has no attempts left, or cancelled when a cancel was pending.
     * Any process may run this; SKIP LOCKED keeps two reapers from taking the same job.
     */
    public Uni<List<TakenBack>> reapExpired() {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        WITH expired AS (
                            SELECT id, lease_owner, lease_expires_at < now() AS lapsed FROM job
                             WHERE state = 'running'
                               AND (lease_expires_at < now()
                                    OR coalesce(progress_at, started_at) < now() - make_interval(secs => $1))
                               FOR UPDATE SKIP LOCKED)
                        UPDATE job SET
                               state = CASE WHEN job.cancel_requested THEN 'cancelled'
                                            WHEN job.attempts >= job.max_attempts THEN 'failed'
                                            ELSE 'queued' END,
                               error = CASE WHEN expired.lapsed THEN 'lease expired on worker ' || expired.lease_owner
                                            ELSE 'no progress for ' || $4 || ' on worker ' || expired.lease_owner END,
                               finished_at = CASE WHEN job.cancel_requested OR job.attempts >= job.max_attempts
                                                  THEN now() END,
                               lease_owner = NULL, lease_expires_at = NULL,
                               not_before = now() + least(make_interval(secs => $2 * power(2, least(greatest(job.attempts - 1, 0), 20))),
                                                          make_interval(secs => $3))
                          FROM expired WHERE job.id = expired.id
                        RETURNING job.id, job.kind, job.state, job.error, expired.lease_owner AS owner, expired.lapsed""")
                .execute(Tuple.of(seconds(stallTimeout), seconds(backoff), seconds(maxBackoff), stallTimeout.toString()))
                .flatMap(rows -> {
                    List<TakenBack> taken = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Row row : rows) {
                        long id = row.getLong("id");
                        boolean lapsed = row.getBoolean("lapsed");
                        taken.add(new TakenBack(id, row.getString("kind"), lapsed ? TakenBack.Why.LEASE_EXPIRED : TakenBack.Why.STALLED));
                        String reason = row.getString("error");
                        String state = row.getString("state");
                        String kind = row.getString("kind");
                        String owner = row.getString("owner");
                        chain = chain
                                .flatMap(x -> conn.preparedQuery("""
                                        UPDATE job_attempt SET finished_at = now(), outcome = $3, reason = $2
                                         WHERE job_id = $1 AND outcome IS NULL""")
                                        .execute(Tuple.of(id, reason, lapsed ? "lease_expired" : "stalled")))
                                .flatMap(x -> idle(conn, owner, id))
                                .flatMap(x -> state.equals("queued") ? Uni.createFrom().voidItem()
                                        : Dependents.cancel(conn, id, Dependents.reason(id, kind,
                                                state.equals("failed") ? "failed" : "was cancelled", reason)));
                    }
                    return chain.map(x -> taken);
                }));
    }

    Duration backoffAfter(int attempts) {
        long factor = 1L << Math.min(20, Math.max(0, attempts - 1));
        Duration d = backoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private static Uni<Void> closeAttempt(SqlConnection conn, long jobId, int attempt, String outcome,
                                          String reason, String detail) {
        return closeAttempt(conn, jobId, attempt, outcome, null, reason, detail);
    }

    /** Ends the attempt; {@code failureKind} only with outcome {@code failed}. */
    private static Uni<Void> closeAttempt(SqlConnection conn, long jobId, int attempt, String outcome,
                                          FailureKind failureKind, String reason, String detail) {
        return conn.preparedQuery("""
                        UPDATE job_attempt SET finished_at = now(), outcome = $3, reason = $4, detail = $5, failure_kind = $6
                         WHERE job_id = $1 AND attempt = $2""")
                .execute(Tuple.tuple().addLong(jobId).addInteger(attempt).addString(outcome)
                        .addString(reason).addString(detail).addString(failureKind == null ? null : failureKind.db()))
                .replaceWithVoid();
    }

    private static Uni<Void> idle(SqlConnection conn, String workerId, long jobId) {
        return conn.preparedQuery("UPDATE worker SET current_job = NULL WHERE id = $1 AND current_job = $2")
                .execute(Tuple.of(workerId, jobId)).replaceWithVoid();
    }

    private static LeaseStatus status(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        if (rows.size() == 0) return LeaseStatus.LOST;
        Row row = rows.iterator().next();
        return new LeaseStatus(true, row.getBoolean("cancel_requested"), row.getString("cancel_reason"));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}

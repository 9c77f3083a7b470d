package tenshot.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The queue as the studio sees it: enqueue jobs (with dependencies and dedupe keys), read them,
 * cancel and retry them. Workers use {@link JobLeases}. Every method runs in its own transaction.
 */
@ApplicationScoped
public class JobQueue {

    private final Pool pool;

    @Inject
    public JobQueue(Pool pool) {
        this.pool = pool;
    }

    /**
     * Adds a job, or returns the existing one with the same dedupe key (queued again if it had failed
     * or was cancelled). A job whose dependency already failed or was cancelled starts out cancelled.
     */
    public Uni<Job> enqueue(NewJob spec) {
        return pool.withTransaction(conn -> enqueue(conn, spec));
    }

    /**
     * Enqueues jobs in order, each after the first depending on the one before it, in one transaction:
     * their notifications arrive together at commit, so no listener sees a run with half of its jobs.
     */
    public Uni<List<Job>> enqueueChain(List<NewJob> specs) {
        return pool.withTransaction(conn -> enqueueChain(conn, specs));
    }

    /** {@link #enqueueChain(List)} in the caller's transaction on {@code conn} (a run's row and its jobs together). */
    public Uni<List<Job>> enqueueChain(SqlConnection conn, List<NewJob> specs) {
        Uni<List<Job>> chain = Uni.createFrom().item(new ArrayList<>());
        for (NewJob spec : specs) {
            chain = chain.flatMap(done -> enqueue(conn, done.isEmpty() ? spec : spec.dependsOn(done.get(done.size() - 1).id()))
                    .map(job -> {
                        done.add(job);
                        return done;
                    }));
        }
        return chain;
    }

    private Uni<Job> enqueue(SqlConnection conn, NewJob spec) {
        if (spec.dedupeKey() == null) return insert(conn, spec);
        return conn.preparedQuery("SELECT id, state FROM job WHERE dedupe_key = $1 FOR UPDATE")
                .execute(Tuple.of(spec.dedupeKey()))
                .flatMap(rows -> {
                    if (rows.size() == 0) return insert(conn, spec);
                    Row row = rows.iterator().next();
                    long id = row.getLong("id");
                    JobState state = JobState.fromDb(row.getString("state"));
                    if (state == JobState.FAILED || state == JobState.CANCELLED) {
                        // what waited for it belongs to runs that were stopped; the new run only needs the job
                        return requeue(conn, id, false).flatMap(x -> load(conn, id));
                    }
                    return load(conn, id);
                });
    }

    private Uni<Job> insert(SqlConnection conn, NewJob spec) {
        Long[] deps = new HashSet<>(spec.dependsOn()).toArray(Long[]::new);
        // FOR SHARE makes a dependency that is finishing right now wait for this insert, so its
        // success sees the new dependency row and counts it down.
        return conn.preparedQuery("SELECT id, kind, state, error FROM job WHERE id = ANY($1) FOR SHARE")
                .execute(Tuple.of(deps))
                .flatMap(rows -> {
                    Set<Long> found = new HashSet<>();
                    int pending = 0;
                    String deadReason = null;
                    for (Row row : rows) {
                        found.add(row.getLong("id"));
                        JobState state = JobState.fromDb(row.getString("state"));
                        if (state != JobState.SUCCEEDED) pending++;
                        if ((state == JobState.FAILED || state == JobState.CANCELLED) && deadReason == null) {
                            deadReason = Dependents.reason(row.getLong("id"), row.getString("kind"),
                                    state == JobState.FAILED ? "failed" : "was cancelled", row.getString("error"));
                        }
                    }
                    for (Long dep : deps) {
                        if (!found.contains(dep)) {
                            return Uni.createFrom().failure(new IllegalArgumentException(
                                    "dependsOn names job " + dep + ", which does not exist"));
                        }
                    }
                    String cancelReason = deadReason;
                    return conn.preparedQuery("""
                            INSERT INTO job (kind, run_id, team, priority, payload, dedupe_key, pending_deps,
                                             max_attempts, state, cancel_reason, error, finished_at, needs)
                            VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8,
                                    CASE WHEN $9::text IS NULL THEN 'queued' ELSE 'cancelled' END,
                                    $9, $9, CASE WHEN $9::text IS NULL THEN NULL ELSE now() END, $10)
                            RETURNING id""")
                            .execute(Tuple.tuple()
                                    .addString(spec.kind()).addLong(spec.runId()).addString(spec.team())
                                    .addInteger(spec.priority()).addString(JobRows.text(spec.payload()))
                                    .addString(spec.dedupeKey()).addInteger(pending)
                                    .addInteger(spec.maxAttempts()).addString(cancelReason)
                                    .addString(spec.needs().db()))
                            .map(inserted -> inserted.iterator().next().getLong("id"));
                })
                .flatMap(id -> conn.preparedQuery(
                                "INSERT INTO job_dependency (job_id, depends_on) SELECT $1, unnest($2::bigint[])")
                        .execute(Tuple.of(id, deps))
                        .flatMap(x -> load(conn, id)));
    }

    public Uni<Job> get(long id) {
        return pool.withConnection(conn -> load(conn, id));
    }

    public Uni<Optional<Job>> find(long id) {
        return pool.preparedQuery("SELECT " + JobRows.COLUMNS + " FROM job WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.<Job>empty() : Optional.of(JobRows.job(rows.iterator().next())));
    }

    static Uni<Job> load(SqlConnection conn, long id) {
        return conn.preparedQuery("SELECT " + JobRows.COLUMNS + " FROM job WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) throw new JobNotFound(id);
                    return JobRows.job(rows.iterator().next());
                });
    }

    /** Jobs of one run, oldest first. */
    public Uni<List<Job>> ofRun(long runId) {
        return pool.preparedQuery("SELECT " + JobRows.COLUMNS + " FROM job WHERE run_id = $1 ORDER BY id")
                .execute(Tuple.of(runId)).map(JobRows::jobs);
    }

    /**
     * Jobs of other runs that jobs of this run wait for: shared jobs found through a dedupe key
     * (such as prior images), which belong to the run that enqueued them first.
     */
    public Uni<List<Job>> sharedWith(long runId) {
        return pool.preparedQuery("SELECT " + JobRows.COLUMNS + """
                 FROM job
                WHERE run_id IS DISTINCT FROM $1
                  AND id IN (SELECT d.depends_on FROM job_dependency d JOIN job c ON c.id = d.job_id WHERE c.run_id = $1)
                ORDER BY id""")
                .execute(Tuple.of(runId)).map(JobRows::jobs);
    }

    /** Jobs filtered by any of run, team and state (null = any), newest first, at most {@code limit}. */
    public Uni<List<Job>> list(Long runId, String team, JobState state, int limit) {
        return pool.preparedQuery("SELECT " + JobRows.COLUMNS + """
                 FROM job
                WHERE ($1::bigint IS NULL OR run_id = $1)
                  AND ($2::text IS NULL OR team = $2)
                  AND ($3::text IS NULL OR state = $3)
                ORDER BY id DESC LIMIT $4""")
                .execute(Tuple.tuple().addLong(runId).addString(team)
                        .addString(state == null ? null : state.db()).addInteger(limit))
                .map(JobRows::jobs);
    }

    public Uni<List<JobAttempt>> attempts(long jobId) {
        return pool.preparedQuery("""
                SELECT attempt, worker_id, started_at, finished_at, outcome, reason
                  FROM job_attempt WHERE job_id = $1 ORDER BY attempt""")
                .execute(Tuple.of(jobId))
                .map(rows -> {
                    List<JobAttempt> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new JobAttempt(r.getInteger("attempt"), r.getString("worker_id"),
                                JobRows.instant(r, "started_at"), JobRows.instant(r, "finished_at"),
                                r.getString("outcome"), r.getString("reason")));
                    }
                    return out;
                });
    }

    /**
     * Cancels a job: a queued one at once (with everything waiting for it), a running one at its
     * worker's next step. Cancelling a job that is already cancelled returns it unchanged.
     *
     * @throws JobStateConflict (in the Uni) when the job already succeeded or failed
     */
    public Uni<Job> cancel(long id, String reason) {
        String why = reason == null || reason.isBlank() ? "cancelled by user" : reason;
        return pool.withTransaction(conn -> lockState(conn, id).flatMap(row -> {
            JobState state = JobState.fromDb(row.getString("state"));
            String kind = row.getString("kind");
            return switch (state) {
                case QUEUED -> conn.preparedQuery("""
                                UPDATE job SET state = 'cancelled', cancel_reason = $2, error = $2,
                                               finished_at = now()
                                 WHERE id = $1""")
                        .execute(Tuple.of(id, why))
                        .flatMap(x -> Dependents.cancel(conn, id, Dependents.reason(id, kind, "was cancelled", why)))
                        .flatMap(x -> load(conn, id));
                case RUNNING -> conn.preparedQuery(
                                "UPDATE job SET cancel_requested = true, cancel_reason = $2 WHERE id = $1")
                        .execute(Tuple.of(id, why))
                        .flatMap(x -> load(conn, id));
                case CANCELLED -> load(conn, id);
                case SUCCEEDED, FAILED -> Uni.createFrom().failure(new JobStateConflict(
                        "job " + id + " already " + state.db() + "; only queued or running jobs can be cancelled"));
            };
        }));
    }

    /**
     * Sets a queued or running job's priority (higher runs first; it matters until the job is claimed).
     *
     * @throws JobStateConflict (in the Uni) when the job already ended
     */
    public Uni<Job> setPriority(long id, int priority) {
        return pool.withTransaction(conn -> lockState(conn, id).flatMap(row -> {
            JobState state = JobState.fromDb(row.getString("state"));
            if (state != JobState.QUEUED && state != JobState.RUNNING) {
                return Uni.createFrom().failure(new JobStateConflict(
                        "job " + id + " already " + state.db() + "; only queued or running jobs take a priority"));
            }
            return conn.preparedQuery("UPDATE job SET priority = $2 WHERE id = $1").execute(Tuple.of(id, priority))
                    .flatMap(x -> load(conn, id));
        }));
    }

    /**
     * Cancels every queued or running job of a run, except jobs that another run's live jobs wait
     * for (a prior-images job shared through its dedupe key); returns how many were affected.
     */
    public Uni<Integer> cancelRun(long runId, String reason) {
        return pool.preparedQuery("""
                        SELECT id FROM job
                         WHERE run_id = $1 AND state IN ('queued', 'running')
                           AND NOT EXISTS (
                               SELECT 1 FROM job_dependency d JOIN job waiting ON waiting.id = d.job_id
                                WHERE d.depends_on = job.id AND waiting.state IN ('queued', 'running')
                                  AND waiting.run_id IS DISTINCT FROM $1)
                         ORDER BY id""")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    List<Long> ids = new ArrayList<>();
                    for (Row r : rows) ids.add(r.getLong("id"));
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (long id : ids) {
                        chain = chain.flatMap(n -> cancel(id, reason)
                                .map(j -> n + 1)
                                .onFailure(JobStateConflict.class).recoverWithItem(n));
                    }
                    return chain;
                });
    }

    /**
     * Queues a failed or cancelled job again with a fresh attempt budget, together with the failed
     * or cancelled jobs it waits for and the jobs that were cancelled because they waited. Jobs keep
     * their checkpoints.
     *
     * @throws JobStateConflict (in the Uni) when the job is queued, running or succeeded
     */
    public Uni<Job> retry(long id) {
        return pool.withTransaction(conn -> lockState(conn, id).flatMap(row -> {
            JobState state = JobState.fromDb(row.getString("state"));
            if (state != JobState.FAILED && state != JobState.CANCELLED) {
                return Uni.createFrom().failure(new JobStateConflict(
                        "job " + id + " is " + state.db() + "; only failed or cancelled jobs can be retried"));
            }
            return requeue(conn, id, true).flatMap(x -> load(conn, id));
        }));
    }

    /** Retries every failed or cancelled job of a run that no other failed job of the run explains. */
    public Uni<Integer> retryRun(long runId) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        SELECT id FROM job
                         WHERE run_id = $1 AND state IN ('failed', 'cancelled') ORDER BY id""")
                .execute(Tuple.of(runId))
                .flatMap(rows -> {
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (Row r : rows) {
                        long id = r.getLong("id");
                        chain = chain.flatMap(n -> conn.preparedQuery("SELECT state FROM job WHERE id = $1 FOR UPDATE")
                                .execute(Tuple.of(id))
                                .flatMap(s -> {
                                    String st = s.iterator().next().getString("state");
                                    if (!st.equals("failed") && !st.equals("cancelled")) return Uni.createFrom().item(n);
                                    return requeue(conn, id, false).map(k -> n + k);
                                }));
                    }
                    return chain;
                }));
    }

    private static Uni<Row> lockState(SqlConnection conn, long id) {
        return conn.preparedQuery("SELECT state, kind FROM job WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) throw new JobNotFound(id);
                    return rows.iterator().next();
                });
    }

    /**
     * Queues the job again together with the failed/cancelled jobs it waits for (transitively) and, with
     * {@code withDependents}, the failed/cancelled jobs of its own run that wait for it; returns how many
     * jobs were queued. Another run's jobs are never brought back: a prior-images job shared through its
     * dedupe key is waited for by other runs, which may have been cancelled on purpose.
     */
    private static Uni<Integer> requeue(SqlConnection conn, long id, boolean withDependents) {
        return conn.preparedQuery("""
                        WITH RECURSIVE upstream(id) AS (
                            SELECT $1::bigint
                            UNION
                            SELECT d.depends_on FROM job_dependency d JOIN upstream u ON d.job_id = u.id
                              JOIN job p ON p.id = d.depends_on WHERE p.state IN ('failed', 'cancelled')),
                        downstream(id) AS (
                            SELECT $1::bigint
                            UNION
                            SELECT d.job_id FROM job_dependency d JOIN downstream w ON d.depends_on = w.id
                              JOIN job c ON c.id = d.job_id
                             WHERE $2 AND c.run_id IS NOT DISTINCT FROM (SELECT run_id FROM job WHERE id = $1)),
                        waiting(id) AS (
                            SELECT id FROM upstream UNION SELECT id FROM downstream)
                        UPDATE job SET state = 'queued', attempts = 0, not_before = now(), cancel_requested = false,
                                       cancel_reason = NULL, error = NULL, started_at = NULL, finished_at = NULL,
                                       lease_owner = NULL, lease_expires_at = NULL
                         WHERE id IN (SELECT id FROM waiting) AND state IN ('failed', 'cancelled')
                        RETURNING id""")
                .execute(Tuple.of(id, withDependents))
                .flatMap(rows -> {
                    List<Long> ids = new ArrayList<>();
                    for (Row r : rows) ids.add(r.getLong("id"));
                    Long[] set = ids.toArray(Long[]::new);
                    return conn.preparedQuery("""
                                    UPDATE job SET pending_deps = (
                                        SELECT count(*) FROM job_dependency d JOIN job p ON p.id = d.depends_on
                                         WHERE d.job_id = job.id AND p.state <> 'succeeded')
                                     WHERE id = ANY($1)""")
                            .execute(Tuple.of((Object) set))
                            // a requeued job that still waits on another dead job cannot ever run
                            .flatMap(x -> conn.preparedQuery("""
                                    UPDATE job SET state = 'cancelled', finished_at = now(),
                                           cancel_reason = 'dependency job ' || dead.id || ' (' || dead.kind || ') is ' || dead.state,
                                           error = 'dependency job ' || dead.id || ' (' || dead.kind || ') is ' || dead.state
                                      FROM job_dependency d JOIN job dead ON dead.id = d.depends_on
                                     WHERE job.id = ANY($1) AND d.job_id = job.id
                                       AND dead.state IN ('failed', 'cancelled')""")
                                    .execute(Tuple.of((Object) set)))
                            .map(x -> set.length);
                });
    }

    /** The latest preview image of a job (part "") or of one named part of it as PNG bytes, if its handler reported one. */
    public Uni<Optional<byte[]>> preview(long jobId, String part) {
        return pool.preparedQuery("SELECT png FROM job_preview WHERE job_id = $1 AND part = $2")
                .execute(Tuple.of(jobId, part))
                .map(rows -> rows.size() == 0
                        ? Optional.<byte[]>empty()
                        : Optional.of(rows.iterator().next().getBuffer("png").getBytes()));
    }
}

package tenshot.studio.quota;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import tenshot.queue.FailureKind;

/**
 * What a team has used, read in the caller's transaction (after the lock that {@link Quotas} takes). A team's work is its runs' jobs
 * ({@code run.team_id}); a job shared between runs is charged to the run that queued it.
 */
final class QuotaUsage {

    /**
     * How long an admitted retry counts while its jobs are not queued again yet (they are queued right
     * after the admitting transaction commits; if that fails, the hold lapses after this). A new run
     * needs no hold: its row and its jobs are written in the transaction that admits it.
     */
    static final String ADMISSION_HOLD = "interval '1 minute'";

    /**
     * The attempts that count against GPU-minutes: running ones (up to now), succeeded ones, ones the
     * team cancelled, and failures of kind {@code input} ({@link FailureKind#INPUT}: the handler found the
     * team's input cannot work). The system's own faults do not count: lease expired (worker lost),
     * stalled (hung engine), released (worker stopped), and {@code internal} failures (an internal error,
     * out of memory, I/O), which the queue retries.
     */
    static final String CHARGED_ATTEMPT = """
            (a.outcome IS NULL OR a.outcome IN ('succeeded', 'cancelled')
             OR (a.outcome = 'failed' AND a.failure_kind = 'input'))""";

    private QuotaUsage() {}

    /**
     * The team's runs that are queued or running (any job queued or running), or whose retry was
     * admitted but whose jobs are not queued again yet; {@code exceptRun} (the run being admitted) aside.
     */
    static Uni<List<Long>> activeRuns(QuotaSql sql, long teamId, long exceptRun) {
        return sql.column("""
                        SELECT r.id FROM run r
                         WHERE r.team_id = ?1 AND r.id <> ?2
                           AND (EXISTS (SELECT 1 FROM job j WHERE j.run_id = r.id AND j.state IN ('queued', 'running'))
                                OR EXISTS (SELECT 1 FROM run_admission a
                                            WHERE a.run_id = r.id AND a.admitted_at > now() - %s
                                              AND NOT EXISTS (SELECT 1 FROM job j
                                                               WHERE j.run_id = r.id AND j.version > a.job_version)))
                         ORDER BY r.id""".formatted(ADMISSION_HOLD), Long.class, teamId, exceptRun);
    }

    /** True when the run has a job queued or running. */
    static Uni<Boolean> isActive(QuotaSql sql, long runId) {
        return sql.single("SELECT count(*) FROM job WHERE run_id = ?1 AND state IN ('queued', 'running')", Long.class, runId)
                .map(n -> n > 0);
    }

    /** True when the run has failed or cancelled jobs, which a retry queues again. */
    static Uni<Boolean> hasRetryable(QuotaSql sql, long runId) {
        return sql.single("SELECT count(*) FROM job WHERE run_id = ?1 AND state IN ('failed', 'cancelled')", Long.class, runId)
                .map(n -> n > 0);
    }

    /**
     * Seconds of charged attempt time of the team's jobs (its runs' and its evaluations' EVALUATE jobs) within the day up to {@code now}: an attempt that spans midnight
     * counts on each day for its part of it, a running one up to now.
     */
    static Uni<Double> gpuSeconds(QuotaSql sql, long teamId, QuotaDay day, Instant now) {
        return sql.single("""
                        SELECT CAST(coalesce(sum(extract(epoch FROM
                                   least(coalesce(a.finished_at, to_timestamp(?3)), to_timestamp(?3))
                                   - greatest(a.started_at, to_timestamp(?2)))), 0) AS double precision)
                          FROM job_attempt a JOIN job j ON j.id = a.job_id
                         WHERE (j.run_id IN (SELECT id FROM run WHERE team_id = ?1)
                                OR j.id IN (SELECT job_id FROM evaluation WHERE team_id = ?1 AND job_id IS NOT NULL))
                           AND a.started_at < to_timestamp(?3)
                           AND coalesce(a.finished_at, to_timestamp(?3)) > to_timestamp(?2)
                           AND """ + CHARGED_ATTEMPT, Double.class, teamId, epoch(day.start()), epoch(now));
    }

    /** The team's leaderboard submissions made within the day. */
    static Uni<Long> submissions(QuotaSql sql, long teamId, QuotaDay day) {
        return sql.single("""
                        SELECT count(*) FROM leaderboard_submission
                         WHERE team_id = ?1 AND created_at >= to_timestamp(?2) AND created_at < to_timestamp(?3)""",
                Long.class, teamId, epoch(day.start()), epoch(day.end()));
    }

    private static double epoch(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }
}

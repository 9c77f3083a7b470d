package tenshot.studio.quota;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.hibernate.reactive.mutiny.Mutiny;
import tenshot.store.Run;
import tenshot.store.Team;
import tenshot.studio.api.ApiException;

/**
 * Admits or refuses work against a team's quotas: starting a run (new or re-run), retrying one, and a
 * leaderboard submission. Each check runs in the transaction of the work it admits, under a per-team
 * advisory lock, so that requests of one team racing each other are counted one after the other.
 * Work already admitted is never refused later: the GPU-minutes are checked when a run starts, and a
 * run started under the limit may finish above it.
 */
@ApplicationScoped
public class Quotas {

    /** Advisory lock namespaces (first key), the team id being the second. */
    private static final int RUN_LOCK = 0x51_0001;
    private static final int SUBMISSION_LOCK = 0x51_0002;

    static final String CONCURRENT_RESETS = "when one of the team's queued or running runs finishes, fails or is cancelled";
    static final String DAILY_RESETS = "at 00:00 UTC";

    @Inject
    QuotaDefaults defaults;

    @Inject
    QuotaClock clock;

    /**
     * Admits a new run (a start or a re-run) of the team in the caller's transaction on {@code conn},
     * the one that then inserts the run and its jobs; a refusal fails that transaction, so a refused run
     * leaves nothing behind.
     */
    public Uni<Void> admitStart(SqlConnection conn, long teamId) {
        QuotaSql sql = QuotaSql.of(conn);
        return lock(sql, RUN_LOCK, teamId).chain(() -> checkRunLimits(sql, teamId, -1, true));
    }

    /**
     * Admits a retry of a run in a transaction of its own. A run with nothing to retry passes (the retry
     * does nothing); a run that is still queued or running already counts among the concurrent runs,
     * so only the GPU-minutes are checked for it.
     */
    public Uni<Void> admitRetry(long runId) {
        return Panache.withTransaction(() -> Run.<Run>findById(runId).chain(run -> {
            if (run == null) throw ApiException.notFound("run", runId);
            return Panache.getSession().chain(session -> {
                QuotaSql sql = QuotaSql.of(session);
                return QuotaUsage.hasRetryable(sql, runId).chain(retryable -> {
                    if (!retryable) return Uni.createFrom().voidItem();
                    return lock(sql, RUN_LOCK, run.teamId)
                            .chain(() -> QuotaUsage.isActive(sql, runId))
                            .chain(active -> checkRunLimits(sql, run.teamId, runId, !active))
                            .chain(() -> hold(session, run, "retry"));
                });
            });
        }));
    }

    /**
     * Admits a retry of one job (which queues the failed or cancelled jobs of its run around it) as a
     * retry of its run; a job of no run (queue tests, tools) is no team's work and passes.
     */
    public Uni<Void> admitJobRetry(long jobId) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session
                .createNativeQuery("SELECT run_id FROM job WHERE id = ?1 AND run_id IS NOT NULL", Long.class)
                .setParameter(1, jobId).getResultList()))
                .chain(runs -> runs.isEmpty() ? Uni.createFrom().voidItem() : admitRetry(runs.get(0)));
    }

    /** Admits a leaderboard submission of the team, in the transaction that stores it. */
    public Uni<Void> admitSubmission(long teamId) {
        return Panache.getSession().map(QuotaSql::of).chain(sql -> lock(sql, SUBMISSION_LOCK, teamId)
                .chain(() -> TeamQuotas.overrides(sql, teamId))
                .chain(own -> {
                    Instant now = clock.now();
                    QuotaDay day = QuotaDay.of(now);
                    TeamLimits limits = TeamLimits.of(defaults, own);
                    return QuotaUsage.submissions(sql, teamId, day).map(used -> {
                        LimitUse use = submissions(limits, used, day);
                        if (use.reached()) {
                            throw refusal(use, now, "the team has made " + used + " of its " + use.value()
                                    + " leaderboard submissions today (UTC); more are accepted from " + day.end());
                        }
                        return null;
                    });
                }));
    }

    /** The team's limits and today's use, in the current session. */
    public Uni<QuotaStatus> status(long teamId) {
        return Panache.getSession().chain(session -> Team.<Team>findById(teamId).chain(team -> {
            if (team == null) throw ApiException.notFound("team", teamId);
            Instant now = clock.now();
            QuotaDay day = QuotaDay.of(now);
            QuotaSql sql = QuotaSql.of(session);
            return TeamQuotas.overrides(sql, teamId).chain(own -> {
                TeamLimits limits = TeamLimits.of(defaults, own);
                return QuotaUsage.activeRuns(sql, teamId, -1).chain(active ->
                        QuotaUsage.gpuSeconds(sql, teamId, day, now).chain(seconds ->
                                QuotaUsage.submissions(sql, teamId, day).map(submitted -> new QuotaStatus(teamId,
                                        team.name, day.start(), day.end(), concurrent(limits, active),
                                        gpuMinutes(limits, seconds, day), submissions(limits, submitted, day)))));
            });
        }));
    }

    private Uni<Void> checkRunLimits(QuotaSql sql, long teamId, long runId, boolean addsARun) {
        Instant now = clock.now();
        QuotaDay day = QuotaDay.of(now);
        return TeamQuotas.overrides(sql, teamId).chain(own -> {
            TeamLimits limits = TeamLimits.of(defaults, own);
            Uni<Void> concurrentCheck = !addsARun ? Uni.createFrom().voidItem()
                    : QuotaUsage.activeRuns(sql, teamId, runId).map(active -> {
                        LimitUse use = concurrent(limits, active);
                        if (use.reached()) {
                            throw refusal(use, now, "the team has " + active.size() + " runs queued or running ("
                                    + active.stream().map(String::valueOf).collect(Collectors.joining(", "))
                                    + ") and may have " + use.value() + " at once; the limit frees up " + CONCURRENT_RESETS);
                        }
                        return null;
                    });
            return concurrentCheck.chain(() -> QuotaUsage.gpuSeconds(sql, teamId, day, now)).map(seconds -> {
                LimitUse use = gpuMinutes(limits, seconds, day);
                if (seconds >= limits.gpuMinutesPerDay() * 60.0) {
                    throw refusal(use, now, "the team has used " + use.used() + " of its " + use.value()
                            + " GPU-minutes today (UTC); runs already started go on, new ones can start from " + day.end());
                }
                return null;
            });
        });
    }

    /**
     * Records a retry's admission (read as a query with RETURNING: a native update would leave Hibernate
     * cache clean-up pending on the shared session), so that the run counts as active until its jobs are queued again: a run whose
     * jobs get a version above the one read here has been queued (see {@link QuotaUsage#activeRuns}).
     */
    private static Uni<Void> hold(Mutiny.Session session, Run run, String kind) {
        return session.createNativeQuery("""
                        INSERT INTO run_admission (run_id, team_id, kind, job_version)
                        SELECT ?1, ?2, ?3, CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM job_version
                        RETURNING id""", Long.class)
                .setParameter(1, run.id).setParameter(2, run.teamId).setParameter(3, kind)
                .getSingleResult().replaceWithVoid();
    }

    private static Uni<Void> lock(QuotaSql sql, int namespace, long teamId) {
        // xact lock: held until the admitting transaction commits, i.e. until what it admitted is visible
        return sql.single("SELECT 1 FROM pg_advisory_xact_lock(?1, ?2)", Integer.class, namespace, (int) teamId).replaceWithVoid();
    }

    private static LimitUse concurrent(TeamLimits limits, List<Long> active) {
        return new LimitUse(Limit.CONCURRENT_RUNS, limits.concurrentRuns(), active.size(), Limit.CONCURRENT_RUNS.unit(),
                limits.overrides().concurrentRuns() == null, null, CONCURRENT_RESETS, active);
    }

    private static LimitUse gpuMinutes(TeamLimits limits, double seconds, QuotaDay day) {
        double minutes = Math.round(seconds / 6.0) / 10.0;
        return new LimitUse(Limit.GPU_MINUTES_PER_DAY, limits.gpuMinutesPerDay(), minutes,
                Limit.GPU_MINUTES_PER_DAY.unit(), limits.overrides().gpuMinutesPerDay() == null, day.end(), DAILY_RESETS, null);
    }

    private static LimitUse submissions(TeamLimits limits, long used, QuotaDay day) {
        return new LimitUse(Limit.SUBMISSIONS_PER_DAY, limits.submissionsPerDay(), used,
                Limit.SUBMISSIONS_PER_DAY.unit(), limits.overrides().submissionsPerDay() == null, day.end(), DAILY_RESETS, null);
    }

    private static QuotaExceeded refusal(LimitUse use, Instant now, String message) {
        Long retryAfter = use.resetsAt() == null ? null
                : Math.max(1, Duration.between(now, use.resetsAt()).plusMillis(999).toSeconds());
        return new QuotaExceeded(use.limit(), use.value(), use.used(), use.resetsAt(), retryAfter, use.resetsWhen(),
                use.activeRuns(), message);
    }
}

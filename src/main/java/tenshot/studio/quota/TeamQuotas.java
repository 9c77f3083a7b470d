package tenshot.studio.quota;

import io.smallrye.mutiny.Uni;
import java.util.Arrays;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The organisers' per-team overrides (table {@code team_quota}), read and written in the caller's
 * session; writes are queries with RETURNING, as native updates leave Hibernate clean-up pending.
 */
final class TeamQuotas {

    private TeamQuotas() {}

    static Uni<TeamLimits.Overrides> overrides(QuotaSql sql, long teamId) {
        return sql.rows("""
                        SELECT concurrent_runs, gpu_minutes_per_day, submissions_per_day FROM team_quota
                         WHERE team_id = ?1""", teamId)
                .map(rows -> rows.isEmpty() ? TeamLimits.Overrides.NONE : overrides(rows.get(0)));
    }

    /** Replaces the team's overrides; all null removes them (the defaults apply). */
    static Uni<Void> store(Mutiny.Session session, long teamId, TeamLimits.Overrides o, String by) {
        if (o.none()) {
            return session.createNativeQuery("DELETE FROM team_quota WHERE team_id = ?1 RETURNING team_id", Long.class)
                    .setParameter(1, teamId).getResultList().replaceWithVoid();
        }
        List<Object> values = Arrays.asList(teamId, o.concurrentRuns(), o.gpuMinutesPerDay(), o.submissionsPerDay(), by);
        Mutiny.SelectionQuery<Long> upsert = session.createNativeQuery("""
                INSERT INTO team_quota (team_id, concurrent_runs, gpu_minutes_per_day, submissions_per_day, updated_by)
                VALUES (?1, CAST(?2 AS int), CAST(?3 AS int), CAST(?4 AS int), ?5)
                ON CONFLICT (team_id) DO UPDATE SET concurrent_runs = excluded.concurrent_runs,
                       gpu_minutes_per_day = excluded.gpu_minutes_per_day,
                       submissions_per_day = excluded.submissions_per_day,
                       updated_at = now(), updated_by = excluded.updated_by
                RETURNING team_id""", Long.class);
        for (int i = 0; i < values.size(); i++) upsert.setParameter(i + 1, values.get(i));
        return upsert.getSingleResult().replaceWithVoid();
    }

    private static TeamLimits.Overrides overrides(Object[] row) {
        return new TeamLimits.Overrides(integer(row[0]), integer(row[1]), integer(row[2]));
    }

    private static Integer integer(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }
}

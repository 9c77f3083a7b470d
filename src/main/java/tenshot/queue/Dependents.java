package tenshot.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** What happens to the jobs that wait for a job once that job finishes. */
final class Dependents {

    private Dependents() {}

    /** A dependency succeeded: each direct dependent waits for one job fewer. */
    static Uni<Void> release(SqlConnection conn, long jobId) {
        return conn.preparedQuery("""
                UPDATE job SET pending_deps = pending_deps - 1
                 WHERE state = 'queued'
                   AND id IN (SELECT job_id FROM job_dependency WHERE depends_on = $1)""")
                .execute(Tuple.of(jobId)).replaceWithVoid();
    }

    /** A dependency failed or was cancelled: every job that (transitively) waits for it is cancelled. */
    static Uni<Void> cancel(SqlConnection conn, long jobId, String reason) {
        return conn.preparedQuery("""
                WITH RECURSIVE waiting(id) AS (
                    SELECT job_id FROM job_dependency WHERE depends_on = $1
                    UNION
                    SELECT d.job_id FROM job_dependency d JOIN waiting w ON d.depends_on = w.id)
                UPDATE job SET state = 'cancelled', cancel_reason = $2, error = $2, finished_at = now()
                 WHERE state = 'queued' AND id IN (SELECT id FROM waiting)""")
                .execute(Tuple.of(jobId, reason)).replaceWithVoid();
    }

    static String reason(long jobId, String kind, String what, String why) {
        return "dependency job " + jobId + " (" + kind + ") " + what + (why == null ? "" : ": " + why);
    }
}

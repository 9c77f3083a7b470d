package tenshot.queue;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;

/** Empties the queue tables between tests (the test database belongs to the queue tests). */
public final class QueueTables {
    private QueueTables() {}

    public static void clear(Pool pool) {
        // The running studio reads these tables all the time (queue forecasts join job_attempt to job), and
        // TRUNCATE's exclusive locks, taken table by table, can deadlock with such a read: PostgreSQL then
        // aborts the TRUNCATE, which is safe to run again.
        for (int attempt = 1; ; attempt++) {
            try {
                pool.query("TRUNCATE job, job_dependency, job_attempt, job_preview, team_claim, worker RESTART IDENTITY CASCADE")
                        .execute().await().indefinitely();
                return;
            } catch (PgException e) {
                if (!"40P01".equals(e.getSqlState()) || attempt == 3) throw e;
            }
        }
    }
}

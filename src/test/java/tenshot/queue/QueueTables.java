package tenshot.queue;

import io.vertx.mutiny.sqlclient.Pool;

/** Empties the queue tables between tests (the test database belongs to the queue tests). */
public final class QueueTables {
    private QueueTables() {}

    public static void clear(Pool pool) {
        pool.query("TRUNCATE job, job_dependency, job_attempt, job_preview, team_claim, worker RESTART IDENTITY CASCADE")
                .execute().await().indefinitely();
    }
}

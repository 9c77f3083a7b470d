package tenshot.worker;

import jakarta.inject.Inject;
import io.vertx.mutiny.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import tenshot.queue.JobQueue;
import tenshot.queue.QueueTables;

/** Every queue test starts from empty queue tables and stops the test workers it started. */
public abstract class QueueTestBase {

    @Inject protected JobQueue queue;
    @Inject protected Workers workers;
    @Inject protected Pool pool;
    protected TestWorkers test;

    @BeforeEach
    void startFromAnEmptyQueue() {
        QueueTables.clear(pool);
        CountingHandler.reset();
        test = new TestWorkers(workers);
    }

    @AfterEach
    void stopTestWorkers() {
        test.stopAll();
    }
}

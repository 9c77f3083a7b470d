package tenshot.studio;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard that blocking file access calls: it refuses an event-loop thread and lets a worker thread
 * through. The page, run, upload and import tests go through the guarded code, so a change that moves
 * that I/O back onto the loop fails them.
 */
class BlockingIoTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void refusesTheEventLoopAndAllowsWorkerThreads() throws Exception {
        CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                BlockingIo.requireOffEventLoop("listing the models directory");
                onLoop.complete(null);
            } catch (Throwable t) {
                onLoop.complete(t);
            }
        });
        Throwable refused = onLoop.get(10, TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, refused);
        assertTrue(refused.getMessage().startsWith("listing the models directory is blocking I/O and must not run on the event loop"),
                refused.getMessage());

        String worker = vertx.executeBlocking(() -> {
            BlockingIo.requireOffEventLoop("listing the models directory");
            return Thread.currentThread().getName();
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(worker.contains("worker"), worker);
        assertDoesNotThrow(() -> BlockingIo.requireOffEventLoop("a plain thread"));
    }
}

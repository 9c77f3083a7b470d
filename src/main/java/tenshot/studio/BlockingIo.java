package tenshot.studio;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Supplier;

/**
 * Blocking file access kept off the Vert.x event loop: on a slow disk or a network file system one
 * {@code Files.list} there stalls every request the loop serves. Code that blocks calls
 * {@link #requireOffEventLoop} so that a reactive caller that forgets to move it fails at once (and in
 * tests) instead of stalling; reactive callers run it through {@link #run}.
 */
@ApplicationScoped
public class BlockingIo {

    @Inject
    Vertx vertx;

    /** Throws when called on an event-loop thread. */
    public static void requireOffEventLoop(String what) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException(what + " is blocking I/O and must not run on the event loop (thread "
                    + Thread.currentThread().getName() + ")");
        }
    }

    /** {@code work} on a worker thread; its result comes back on the caller's Vert.x context, where reactive sessions live. */
    public <T> Uni<T> run(Supplier<T> work) {
        return vertx.executeBlocking(Uni.createFrom().item(work));
    }
}

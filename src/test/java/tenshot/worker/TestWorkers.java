package tenshot.worker;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Workers a test starts (with distinct ids), stopped after the test. */
public final class TestWorkers {

    private final Workers workers;
    private final List<Worker> started = new ArrayList<>();

    public TestWorkers(Workers workers) {
        this.workers = workers;
    }

    public Worker start(String id) {
        Worker w = workers.create(id, "cpu");
        w.start();
        started.add(w);
        return w;
    }

    /** The workers started so far, in order. */
    public List<Worker> started() {
        return List.copyOf(started);
    }

    public void stopAll() {
        for (Worker w : started) {
            if (!w.halted()) w.stop();
        }
        started.clear();
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}

package tenshot.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadNicenessTest {

    @Test
    void theCallingThreadAndTheThreadsItStartsRunNicerWhileOthersKeepTheirs() throws Exception {
        int before = niceOfThisThread();
        AtomicInteger lowered = new AtomicInteger(-100);
        AtomicInteger child = new AtomicInteger(-100);
        AtomicInteger set = new AtomicInteger();
        Thread engine = new Thread(() -> {
            set.set(ThreadNiceness.set(Math.min(19, before + 7)) ? 1 : 0);
            lowered.set(niceOfThisThread());
            Thread started = new Thread(() -> child.set(niceOfThisThread()));
            started.start();
            try {
                started.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        engine.start();
        engine.join();
        assertEquals(1, set.get(), "setpriority succeeded");
        assertEquals(Math.min(19, before + 7), lowered.get(), "the calling thread's nice value");
        assertEquals(lowered.get(), child.get(), "a thread it started inherits it");
        assertEquals(before, niceOfThisThread(), "other threads keep theirs");
    }

    /** Field 19 of /proc/thread-self/stat (after the command name, which may hold spaces). */
    private static int niceOfThisThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            int nice = Integer.parseInt(fields[16]);
            assertTrue(nice >= -20 && nice <= 19, "nice value " + nice);
            return nice;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package tenshot.studio.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private TokenBuckets buckets(int requests, Duration period) {
        return new TokenBuckets(requests, period, now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void allowsABurstUpToTheCapacityThenRefuses() {
        TokenBuckets limit = buckets(3, Duration.ofMinutes(3));
        for (int i = 0; i < 3; i++) assertTrue(limit.take("a").allowed(), "request " + i);
        TokenBuckets.Decision refused = limit.take("a");
        assertFalse(refused.allowed());
        assertEquals(Duration.ofMinutes(1), refused.retryAfter(), "one request comes back every period/requests");
    }

    @Test
    void refillsEvenlyAndNeverAboveTheCapacity() {
        TokenBuckets limit = buckets(2, Duration.ofSeconds(10));
        assertTrue(limit.take("a").allowed());
        assertTrue(limit.take("a").allowed());
        assertFalse(limit.take("a").allowed());
        advance(Duration.ofSeconds(4));
        TokenBuckets.Decision early = limit.take("a");
        assertFalse(early.allowed());
        assertEquals(Duration.ofSeconds(1), early.retryAfter());
        advance(Duration.ofSeconds(1));
        assertTrue(limit.take("a").allowed());
        assertFalse(limit.take("a").allowed());
        advance(Duration.ofHours(1));
        assertTrue(limit.take("a").allowed());
        assertTrue(limit.take("a").allowed());
        assertFalse(limit.take("a").allowed(), "a long pause refills to the capacity, not beyond");
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        TokenBuckets limit = buckets(1, Duration.ofMinutes(1));
        assertTrue(limit.take("address:10.0.0.1").allowed());
        assertFalse(limit.take("address:10.0.0.1").allowed());
        assertTrue(limit.take("address:10.0.0.2").allowed());
        assertTrue(limit.take("account:7").allowed());
    }

    @Test
    void forgetsIdleKeysOnceThereAreMany() {
        TokenBuckets limit = buckets(1, Duration.ofSeconds(1));
        for (int i = 0; i <= TokenBuckets.SWEEP_ABOVE; i++) limit.take("k" + i);
        assertEquals(TokenBuckets.SWEEP_ABOVE + 1, limit.size());
        advance(Duration.ofSeconds(2));
        limit.take("fresh");
        assertEquals(1, limit.size(), "full buckets are dropped: they are the same as no bucket");
        assertFalse(limit.take("fresh").allowed(), "the sweep keeps buckets that are in use");
    }

    @Test
    void refusesNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets(0, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets(1, Duration.ZERO));
    }

    @Test
    void isSafeUnderConcurrentUse() throws InterruptedException {
        TokenBuckets limit = new TokenBuckets(1000, Duration.ofDays(1));
        AtomicLong allowed = new AtomicLong();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 500; i++) if (limit.take("shared").allowed()) allowed.incrementAndGet();
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        assertEquals(1000, allowed.get(), "2000 attempts on a bucket of 1000 that barely refills");
    }
}

package tenshot.studio.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One rate limit for many callers: a token bucket per key that holds up to {@code capacity} requests and
 * refills one every {@code period / capacity}. A caller may burst to the capacity, then goes at the
 * refill rate. In memory, per server: a deployment with several studio servers limits per server.
 */
public final class TokenBuckets {

    /** How many keys are kept before full (idle) buckets are dropped; a full bucket is the same as none. */
    static final int SWEEP_ABOVE = 10_000;

    /** The answer to one request: allowed, or refused until {@code retryAfter} has passed. */
    public record Decision(boolean allowed, Duration retryAfter) {}

    private final int capacity;
    private final Duration period;
    private final double nanosPerToken;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    public TokenBuckets(int capacity, Duration period) {
        this(capacity, period, System::nanoTime);
    }

    TokenBuckets(int capacity, Duration period, LongSupplier nanoClock) {
        if (capacity < 1) throw new IllegalArgumentException("a rate limit needs at least 1 request per period");
        if (period.isZero() || period.isNegative()) throw new IllegalArgumentException("a rate limit needs a positive period");
        this.capacity = capacity;
        this.period = period;
        this.nanosPerToken = (double) period.toNanos() / capacity;
        this.nanoClock = nanoClock;
    }

    public int capacity() {
        return capacity;
    }

    public Duration period() {
        return period;
    }

    /** Takes one request from {@code key}'s bucket, if there is one to take. */
    public Decision take(String key) {
        long now = nanoClock.getAsLong();
        if (buckets.size() > SWEEP_ABOVE) sweep(now);
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return new Decision(true, Duration.ZERO);
            }
            long wait = (long) Math.ceil((1 - bucket.tokens) * nanosPerToken);
            return new Decision(false, Duration.ofNanos(wait));
        }
    }

    /** Keys currently tracked (for tests and the sweep). */
    int size() {
        return buckets.size();
    }

    private void refill(Bucket bucket, long now) {
        long elapsed = now - bucket.updated;
        if (elapsed > 0) {
            bucket.tokens = Math.min(capacity, bucket.tokens + elapsed / nanosPerToken);
            bucket.updated = now;
        }
    }

    private void sweep(long now) {
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                refill(e.getValue(), now);
                return e.getValue().tokens >= capacity;
            }
        });
    }
}

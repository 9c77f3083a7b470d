package tenshot.studio.limits;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One rate limit for many callers: a Bucket4j token bucket per key that holds up to {@code capacity}
 * requests and refills one every {@code period / capacity} (greedily). A caller may burst to the
 * capacity, then goes at the refill rate. In memory, per server: a deployment with several studio
 * servers limits per server.
 */
public final class TokenBuckets {

    /** How many keys are kept before full (idle) buckets are dropped; a full bucket is the same as none. */
    static final int SWEEP_ABOVE = 10_000;

    /** The answer to one request: allowed, or refused until {@code retryAfter} has passed. */
    public record Decision(boolean allowed, Duration retryAfter) {}

    private final int capacity;
    private final Duration period;
    private final TimeMeter clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokenBuckets(int capacity, Duration period) {
        this(capacity, period, System::nanoTime);
    }

    TokenBuckets(int capacity, Duration period, LongSupplier nanoClock) {
        if (capacity < 1) throw new IllegalArgumentException("a rate limit needs at least 1 request per period");
        if (period.isZero() || period.isNegative()) throw new IllegalArgumentException("a rate limit needs a positive period");
        this.capacity = capacity;
        this.period = period;
        this.clock = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoClock.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
    }

    public int capacity() {
        return capacity;
    }

    public Duration period() {
        return period;
    }

    /** Takes one request from {@code key}'s bucket, if there is one to take. */
    public Decision take(String key) {
        if (buckets.size() > SWEEP_ABOVE) buckets.values().removeIf(b -> b.getAvailableTokens() >= capacity);
        ConsumptionProbe probe = buckets.computeIfAbsent(key, k -> newBucket()).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? new Decision(true, Duration.ZERO) : new Decision(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Keys currently tracked (for tests and the sweep). */
    int size() {
        return buckets.size();
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
                .withCustomTimePrecision(clock)
                .build();
    }
}

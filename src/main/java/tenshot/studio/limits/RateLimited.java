package tenshot.studio.limits;

import java.time.Duration;
import tenshot.studio.api.ApiException;

/** A request refused by a rate limit: 429, naming the limit, with when to try again (Retry-After). */
public class RateLimited extends ApiException {

    private final String limit;
    private final Duration retryAfter;

    public RateLimited(String limit, String message, Duration retryAfter) {
        super(429, "Too Many Requests", message, limit);
        this.limit = limit;
        this.retryAfter = retryAfter;
    }

    public String limit() {
        return limit;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whole seconds, rounded up, at least 1: what the Retry-After header says. */
    public long retryAfterSeconds() {
        return seconds(retryAfter);
    }

    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}

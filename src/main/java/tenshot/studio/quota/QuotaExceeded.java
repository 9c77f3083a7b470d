package tenshot.studio.quota;

import java.time.Instant;
import java.util.List;
import tenshot.studio.api.ApiException;

/**
 * A request refused because the team reached one of its limits (429). {@code resetsAt} is null for
 * the concurrent-runs limit, which frees up when one of {@code activeRuns} finishes, not at a time.
 */
public class QuotaExceeded extends ApiException {

    private final Limit limit;
    private final int value;
    private final Number used;
    private final Instant resetsAt;
    private final String resetsWhen;
    private final List<Long> activeRuns;
    private final Long retryAfterSeconds;

    QuotaExceeded(Limit limit, int value, Number used, Instant resetsAt, Long retryAfterSeconds, String resetsWhen,
                  List<Long> activeRuns, String message) {
        super(429, "Quota exceeded", message, limit.key());
        this.limit = limit;
        this.value = value;
        this.used = used;
        this.resetsAt = resetsAt;
        this.resetsWhen = resetsWhen;
        this.activeRuns = activeRuns;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Limit limit() {
        return limit;
    }

    public int value() {
        return value;
    }

    public Number used() {
        return used;
    }

    public Instant resetsAt() {
        return resetsAt;
    }

    public String resetsWhen() {
        return resetsWhen;
    }

    /** Seconds from the refusal until {@link #resetsAt()}, rounded up; null when no time is known. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public List<Long> activeRuns() {
        return activeRuns;
    }
}

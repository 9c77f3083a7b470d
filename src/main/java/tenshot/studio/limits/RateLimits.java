package tenshot.studio.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The studio's rate limits by name, as configured under {@code tenshot.limits.rate.<name>}: {@code upload}
 * (style set uploads, zip imports, evaluations) and {@code sign-in}. Callers are keyed by what the
 * caller of {@link #check} passes: an account, a client address, a user name.
 */
@ApplicationScoped
public class RateLimits {

    public static final String UPLOAD = "upload";
    public static final String SIGN_IN = "sign-in";

    @Inject
    LimitsConfig config;

    private final Map<String, TokenBuckets> limits = new ConcurrentHashMap<>();

    /** Counts one request of {@code key} against the limit {@code name}; throws {@link RateLimited} (429) past it. */
    public void check(String name, String key) {
        TokenBuckets buckets = limits.computeIfAbsent(name, this::configured);
        TokenBuckets.Decision decision = buckets.take(key);
        if (decision.allowed()) return;
        throw new RateLimited(name, "rate limit '" + name + "' reached: at most " + buckets.capacity() + " requests per "
                + describe(buckets.period()) + " (tenshot.limits.rate." + name + "); try again in "
                + RateLimited.seconds(decision.retryAfter()) + " s", decision.retryAfter());
    }

    private TokenBuckets configured(String name) {
        LimitsConfig.Rate rate = config.rate().get(name);
        if (rate == null) throw new IllegalStateException("no rate limit named " + name + ": set tenshot.limits.rate." + name + ".*");
        return new TokenBuckets(rate.requests(), rate.period());
    }

    private static String describe(java.time.Duration period) {
        long s = period.toSeconds();
        if (s % 3600 == 0) return s / 3600 + " h";
        if (s % 60 == 0) return s / 60 + " min";
        return s + " s";
    }
}

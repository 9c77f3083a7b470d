package tenshot.queue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Fairness between teams: the worker time (GPU-seconds on GPU workers) each team's attempts used within
 * {@code tenshot.queue.fairness-window}, counting the part of each attempt inside the window and running
 * ones up to now. Claims and queue forecasts order teams by it in whole {@code tenshot.queue.fairness-quantum}s,
 * so teams whose use differs by less than a quantum take turns (the one served longest ago first).
 */
@ApplicationScoped
public class TeamUsage {

    private final Duration window;
    private final Duration quantum;

    @Inject
    public TeamUsage(@ConfigProperty(name = "tenshot.queue.fairness-window", defaultValue = "6h") Duration window,
                     @ConfigProperty(name = "tenshot.queue.fairness-quantum", defaultValue = "1m") Duration quantum) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("tenshot.queue.fairness-window must be positive, got " + window);
        }
        if (quantum.isNegative() || quantum.isZero()) {
            throw new IllegalArgumentException("tenshot.queue.fairness-quantum must be positive, got " + quantum);
        }
        this.window = window;
        this.quantum = quantum;
    }

    /**
     * A CTE {@code team_usage(team, quanta, seconds)} for a WITH clause; {@code windowParam} is the
     * placeholder ({@code $5}) bound to {@link #windowSeconds()}, {@code quantumParam} to {@link #quantumSeconds()}.
     */
    static String cte(String windowParam, String quantumParam) {
        return """
                team_usage AS (
                    SELECT used.team, floor(used.seconds / %2$s::float8) AS quanta, used.seconds
                      FROM (SELECT j.team,
                                   sum(extract(epoch FROM coalesce(a.finished_at, now())
                                       - greatest(a.started_at, now() - make_interval(secs => %1$s::float8)))::float8) AS seconds
                              FROM job_attempt a JOIN job j ON j.id = a.job_id
                             WHERE coalesce(a.finished_at, now()) > now() - make_interval(secs => %1$s::float8)
                             GROUP BY j.team) used)""".formatted(windowParam, quantumParam);
    }

    public double windowSeconds() {
        return window.toMillis() / 1000.0;
    }

    public double quantumSeconds() {
        return quantum.toMillis() / 1000.0;
    }
}

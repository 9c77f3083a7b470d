package tenshot.studio.quota;

import com.fasterxml.jackson.annotation.JsonValue;

/** The limits a team has, by the names problems and the quota API use. */
public enum Limit {
    CONCURRENT_RUNS("concurrent-runs", "runs"),
    GPU_MINUTES_PER_DAY("gpu-minutes-per-day", "GPU-minutes"),
    SUBMISSIONS_PER_DAY("submissions-per-day", "submissions");

    private final String key;
    private final String unit;

    Limit(String key, String unit) {
        this.key = key;
        this.unit = unit;
    }

    @JsonValue
    public String key() {
        return key;
    }

    public String unit() {
        return unit;
    }
}

package tenshot.queue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a job is in its life: queued → running → succeeded | failed | cancelled (or back to queued). */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    @JsonValue
    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static JobState fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Parses a user-supplied state name, naming the bad value in the error. */
    @JsonCreator
    public static JobState parse(String value) {
        try {
            return fromDb(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown job state '" + value
                    + "': use queued, running, succeeded, failed or cancelled");
        }
    }
}

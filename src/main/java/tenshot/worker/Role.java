package tenshot.worker;

import java.util.Locale;

/** What this process does ({@code tenshot.role}): serve the studio, run jobs, or both. */
public enum Role {
    ALL, API, WORKER;

    public boolean runsWorker() {
        return this != API;
    }

    public boolean servesApi() {
        return this != WORKER;
    }

    public static Role parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tenshot.role is '" + value + "': use all, api or worker");
        }
    }
}

package tenshot.queue;

import java.util.Locale;

/** What device a job needs: a GPU (full-size PRIOR, TRAIN, GENERATE), or any worker that has its kind. */
public enum Needs {
    ANY, GPU;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Needs fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}

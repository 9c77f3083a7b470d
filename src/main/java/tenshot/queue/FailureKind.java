package tenshot.queue;

import java.util.Locale;

/**
 * Why an attempt failed, stored with it ({@code job_attempt.failure_kind}). Quotas charge {@link #INPUT}
 * failures to the team and never {@link #INTERNAL} ones.
 */
public enum FailureKind {
    /** The handler found that the team's input cannot work; the job fails without further attempts. */
    INPUT,
    /** Anything else (out of memory, I/O, a bug): the queue retries while attempts are left. */
    INTERNAL;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }
}

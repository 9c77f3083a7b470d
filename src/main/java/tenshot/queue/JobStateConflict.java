package tenshot.queue;

/** An operation that the job's current state does not allow (cancel a finished job, retry a running one). */
public final class JobStateConflict extends RuntimeException {
    public JobStateConflict(String message) {
        super(message);
    }
}

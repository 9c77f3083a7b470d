package tenshot.worker;

/**
 * Runs one kind of job on a worker's engine thread. Implementations are CDI beans
 * ({@code @ApplicationScoped}); the worker finds them by {@link #kind()}, one bean per kind.
 *
 * <p>A handler reports every engine step to {@link JobContext#progress()}, which stores progress
 * and stops the work (by throwing {@link tenshot.diffusion.StepListener.Cancelled}) when the job is
 * cancelled, the worker stops or the lease was lost. A job may run more than once (after a crash,
 * a lease expiry or a failure): resume from {@link JobContext#checkpoint()} when it is present.
 */
public interface JobHandler {

    /** The job kind this handler runs, e.g. {@code TRAIN}. */
    String kind();

    /**
     * Does the work. Throw {@link PermanentJobFailure} for errors a retry cannot fix (bad input);
     * any other exception is retried with backoff while attempts remain.
     *
     * @return the job's result, stored as JSON (anything Jackson can write), or null
     */
    Object run(JobContext context) throws Exception;
}

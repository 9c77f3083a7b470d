package tenshot.queue;

/**
 * What a worker learns when it renews its lease or reports progress.
 *
 * @param held false when the lease is gone (expired and taken back): the worker must stop the job
 * @param cancelRequested someone asked to cancel the job
 */
public record LeaseStatus(boolean held, boolean cancelRequested, String cancelReason) {
    public static final LeaseStatus LOST = new LeaseStatus(false, false, null);
}

package tenshot.queue;

/** A running job the reaper took back from its worker, and why. */
public record TakenBack(long jobId, String kind, Why why) {

    public enum Why {
        /** The worker stopped renewing its lease (killed, host lost, database unreachable). */
        LEASE_EXPIRED,
        /** The worker renewed its lease but the job's progress did not move for the stall timeout. */
        STALLED
    }
}

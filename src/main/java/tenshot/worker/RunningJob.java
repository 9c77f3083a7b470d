package tenshot.worker;

import tenshot.diffusion.StepListener;
import tenshot.queue.Claim;
import tenshot.queue.LeaseStatus;

/** The job a worker is running right now, and the reasons it may have to stop (set from other threads). */
final class RunningJob {

    final Claim claim;
    private volatile String cancelReason;
    private volatile boolean leaseLost;

    RunningJob(Claim claim) {
        this.claim = claim;
    }

    long jobId() {
        return claim.job().id();
    }

    void cancel(String reason) {
        if (cancelReason == null) cancelReason = reason == null ? "cancelled" : reason;
    }

    boolean cancelled() {
        return cancelReason != null;
    }

    String cancelReason() {
        return cancelReason;
    }

    void loseLease() {
        leaseLost = true;
    }

    boolean leaseLost() {
        return leaseLost;
    }

    void apply(LeaseStatus status) {
        if (!status.held()) loseLease();
        else if (status.cancelRequested()) cancel(status.cancelReason());
    }

    /** Throws when this job must stop: cancelled, lease lost, or its worker is stopping. */
    void checkStop(Worker worker) {
        if (worker.halted()) throw new StepListener.Cancelled("worker " + worker.id() + " halted");
        if (leaseLost) throw new StepListener.Cancelled("lease on job " + jobId() + " lost by worker " + worker.id());
        if (cancelReason != null) throw new StepListener.Cancelled(cancelReason);
        if (worker.stopping()) throw new StepListener.Cancelled("worker " + worker.id() + " is stopping");
    }
}

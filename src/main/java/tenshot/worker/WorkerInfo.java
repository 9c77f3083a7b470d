package tenshot.worker;

import java.time.Instant;
import java.util.List;

/**
 * A registered worker as the workers panel shows it.
 *
 * @param gpu whether its device is a GPU (it takes jobs that need one)
 * @param memoryFree free device memory in bytes at its last heartbeat (null on the CPU)
 * @param memoryTotal the device's memory in bytes (null on the CPU)
 * @param status {@code idle}, {@code busy}, {@code lost} (no heartbeat for a while) or {@code stopped}
 * @param currentJob the job it runs, null when idle or when the job is another team's
 * @param runId the run of that job
 * @param team the team of that job
 */
public record WorkerInfo(
        String id, String host, String device, boolean gpu, Long memoryFree, Long memoryTotal, List<String> kinds,
        String status, Long currentJob, Long runId, String team, Instant startedAt, Instant lastHeartbeat,
        Instant stoppedAt) {

    /**
     * The worker as a member of {@code visibleTeam} may see it: busy, but not with which job, when the job
     * is another team's. Null {@code visibleTeam} (organisers) sees everything.
     */
    public WorkerInfo seenBy(String visibleTeam) {
        if (visibleTeam == null || team == null || visibleTeam.equals(team)) return this;
        return new WorkerInfo(id, host, device, gpu, memoryFree, memoryTotal, kinds, status, null, null, null,
                startedAt, lastHeartbeat, stoppedAt);
    }
}

package tenshot.queue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A job as the API shows it: the stored row, its place in the queue and ETA, and (for one job) the
 * history of its attempts.
 *
 * @param worker the worker holding the lease while it runs
 * @param position 1-based place among queued jobs (null unless queued)
 * @param startsInSeconds expected seconds until a worker takes it
 * @param etaSeconds expected seconds until it is done (null while no duration of its kind is known)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        long id, String kind, Long runId, String team, int priority, JobState state, JsonNode payload,
        String dedupeKey, List<Long> dependsOn, int pendingDeps, int attempts, int maxAttempts, Instant notBefore,
        String worker, boolean cancelRequested, String cancelReason, JsonNode progress, String checkpoint,
        JsonNode result, String error, Instant createdAt, Instant startedAt, Instant finishedAt, long version,
        Integer position, Double startsInSeconds, Double etaSeconds, List<JobAttempt> attemptHistory) {

    public static JobView of(Job j, QueueForecast forecast, List<JobAttempt> history) {
        QueueForecast.Estimate e = forecast == null || j.state().terminal() ? null : forecast.of(j.id());
        return new JobView(j.id(), j.kind(), j.runId(), j.team(), j.priority(), j.state(), j.payload(), j.dedupeKey(),
                j.dependsOn(), j.pendingDeps(), j.attempts(), j.maxAttempts(), j.notBefore(), j.leaseOwner(),
                j.cancelRequested(), j.cancelReason(), j.progress(), j.checkpoint(), j.result(), j.error(),
                j.createdAt(), j.startedAt(), j.finishedAt(), j.version(),
                e == null ? null : e.position(), e == null ? null : e.startsInSeconds(),
                e == null ? null : e.finishesInSeconds(), history);
    }
}

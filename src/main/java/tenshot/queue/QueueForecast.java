package tenshot.queue;

import java.util.List;
import java.util.Map;

/**
 * Where every waiting job stands: its place in the order the workers will take jobs (priority,
 * then round-robin between teams), and when it should start and finish.
 *
 * @param order queued job ids in the order they are expected to be claimed
 * @param secondsByKind recent mean duration of a successful attempt of each kind
 * @param liveWorkers workers heartbeating now (at least 1 is assumed for estimates)
 */
public record QueueForecast(List<Long> order, Map<Long, Estimate> byJob, Map<String, Double> secondsByKind,
                            int liveWorkers) {

    /**
     * @param position 1-based place among queued jobs, or null for a running job
     * @param startsInSeconds expected wait before a worker takes it (0 once running), null when unknown
     * @param finishesInSeconds expected seconds until it is done, null when no duration is known yet
     */
    public record Estimate(Integer position, Double startsInSeconds, Double finishesInSeconds) {}

    public Estimate of(long jobId) {
        return byJob.get(jobId);
    }
}

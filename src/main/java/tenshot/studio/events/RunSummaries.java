package tenshot.studio.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import tenshot.queue.JobEvent;
import tenshot.queue.QueueEstimator;
import tenshot.queue.QueueForecast;
import tenshot.queue.QueueNotifications;
import tenshot.worker.Workers;

/**
 * A run's state as one line of a runs page, derived from its jobs (and the shared jobs it waits
 * for): status ({@code queued}, {@code running}, {@code cancelling}, {@code succeeded},
 * {@code failed}, {@code cancelled}), the current job's phase and progress, the failure reason, and
 * for a waiting run its place in the queue and expected wait ({@link QueueEstimator}).
 * Recomputed whenever one of those jobs changes and broadcast to the SSE streams as {@code run} events;
 * any job change can move the others in the queue, so waiting runs are recomputed too (at most once a
 * {@link #QUEUE_REFRESH}).
 */
@ApplicationScoped
public class RunSummaries {

    private static final Logger LOG = Logger.getLogger(RunSummaries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Least time between two recomputations of the waiting runs' positions. */
    static final java.time.Duration QUEUE_REFRESH = java.time.Duration.ofSeconds(1);

    @Inject Pool pool;
    @Inject QueueNotifications notifications;
    @Inject QueueEstimator estimator;
    @Inject Workers workers;

    private final BroadcastProcessor<ObjectNode> summaries = BroadcastProcessor.create();
    private final AtomicBoolean queueRefreshPending = new AtomicBoolean();

    void start(@Observes StartupEvent event) {
        if (!workers.role().servesApi()) return; // a worker-only process serves no streams
        notifications.events().subscribe().with(this::onJobEvent, e -> LOG.warn("queue events ended", e));
    }

    /** Every recomputed run summary, after each change of one of its jobs. */
    public Multi<ObjectNode> live() {
        return summaries;
    }

    private void onJobEvent(JobEvent e) {
        Set<Long> runs = new LinkedHashSet<>();
        if (e.runId() != null) runs.add(e.runId());
        runs.addAll(e.waitingRuns());
        if (!runs.isEmpty()) {
            summarize(runs).subscribe().with(list -> list.forEach(summaries::onNext),
                    failure -> LOG.warnf("could not summarise runs %s: %s", runs, failure.toString()));
        }
        if (queueRefreshPending.compareAndSet(false, true)) {
            Uni.createFrom().voidItem().onItem().delayIt().by(QUEUE_REFRESH)
                    .chain(() -> {
                        queueRefreshPending.set(false);
                        return waitingRuns();
                    })
                    .chain(waiting -> waiting.isEmpty() ? Uni.createFrom().item(List.<ObjectNode>of()) : summarize(waiting))
                    .subscribe().with(list -> list.forEach(summaries::onNext), failure -> {
                        queueRefreshPending.set(false);
                        LOG.warnf("could not summarise the waiting runs: %s", failure.toString());
                    });
        }
    }

    /** Runs with a queued job of their own or a queued shared job they wait for. */
    private Uni<Set<Long>> waitingRuns() {
        return pool.preparedQuery("""
                        SELECT j.run_id FROM job j WHERE j.state = 'queued' AND j.run_id IS NOT NULL
                        UNION
                        SELECT c.run_id FROM job j JOIN job_dependency d ON d.depends_on = j.id JOIN job c ON c.id = d.job_id
                         WHERE j.state = 'queued' AND c.run_id IS NOT NULL""")
                .execute().map(rows -> {
                    Set<Long> out = new LinkedHashSet<>();
                    for (Row row : rows) out.add(row.getLong(0));
                    return out;
                });
    }

    /** Summaries of the given runs that have jobs. */
    public Uni<List<ObjectNode>> summarize(Collection<Long> runIds) {
        Long[] ids = runIds.toArray(Long[]::new);
        return pool.preparedQuery("""
                        SELECT job_event_json(job)::text AS event FROM job
                         WHERE run_id = ANY($1)
                            OR id IN (SELECT d.depends_on FROM job_dependency d JOIN job c ON c.id = d.job_id
                                       WHERE c.run_id = ANY($1))
                         ORDER BY id""")
                .execute(Tuple.of((Object) ids))
                .chain(rows -> {
                    Map<Long, List<ObjectNode>> byRun = new TreeMap<>();
                    Set<Long> wanted = Set.of(ids);
                    for (Row row : rows) {
                        ObjectNode job = parse(row.getString("event"));
                        JobEvent e = JobEvent.of(job);
                        if (e.runId() != null && wanted.contains(e.runId())) byRun.computeIfAbsent(e.runId(), r -> new ArrayList<>()).add(job);
                        for (long waiting : e.waitingRuns()) {
                            if (wanted.contains(waiting)) byRun.computeIfAbsent(waiting, r -> new ArrayList<>()).add(job);
                        }
                    }
                    // the forecast replays the whole queue: only worth it when a run is waiting
                    Uni<QueueForecast> forecast = byRun.values().stream().anyMatch(RunSummaries::waiting)
                            ? estimator.forecast() : Uni.createFrom().item(NO_FORECAST);
                    return forecast.map(f -> {
                        List<ObjectNode> out = new ArrayList<>();
                        byRun.forEach((run, jobs) -> out.add(summary(run, jobs, f)));
                        return out;
                    });
                });
    }

    private static final QueueForecast NO_FORECAST = new QueueForecast(List.of(), Map.of(), Map.of(), 0);

    /** Whether these jobs make a queued run: some queued, none running or failed. */
    static boolean waiting(List<ObjectNode> jobs) {
        boolean queued = false;
        for (ObjectNode job : jobs) {
            String state = job.path("state").asText();
            if (state.equals("running") || state.equals("failed")) return false;
            queued |= state.equals("queued");
        }
        return queued;
    }

    /**
     * One run's summary from its jobs (each in {@code job_event_json} form) and the queue forecast:
     * a queued run gets {@code position} (its next job's place, 1 = next to be taken) and
     * {@code startsInSeconds} (the expected wait, when the queue knows durations); a running one
     * its job's progress (with {@code parts}, each style's step and loss, while a board trains) and, once
     * the job stored preview images, their count and address.
     */
    static ObjectNode summary(long runId, List<ObjectNode> jobs, QueueForecast forecast) {
        ObjectNode s = JSON.createObjectNode();
        s.put("runId", runId);
        long version = 0;
        ObjectNode running = null, failed = null, cancelled = null;
        boolean queued = false;
        int succeeded = 0;
        for (ObjectNode job : jobs) {
            version = Math.max(version, job.path("version").asLong());
            switch (job.path("state").asText()) {
                case "running" -> running = running == null ? job : running;
                case "failed" -> failed = failed == null ? job : failed;
                case "cancelled" -> cancelled = cancelled == null ? job : cancelled;
                case "queued" -> queued = true;
                case "succeeded" -> succeeded++;
                default -> { }
            }
            if (job.path("runId").asLong() == runId && !s.has("team")) s.put("team", job.path("team").asText());
        }
        String status;
        ObjectNode current = null;
        if (running != null) {
            status = running.path("cancelRequested").asBoolean() ? "cancelling" : "running";
            current = running;
        } else if (failed != null) {
            status = "failed";
            current = failed;
            s.put("reason", failed.path("kind").asText().toLowerCase() + ": " + failed.path("error").asText(""));
        } else if (queued) {
            status = "queued";
            putQueuePlace(s, jobs, forecast);
        } else if (cancelled != null) {
            status = "cancelled";
            current = cancelled;
            s.put("reason", cancelled.path("error").asText("cancelled"));
        } else {
            status = "succeeded";
        }
        s.put("status", status);
        s.put("jobs", jobs.size());
        s.put("jobsSucceeded", succeeded);
        s.put("version", version);
        if (current != null) {
            s.put("jobId", current.path("id").asLong());
            s.put("kind", current.path("kind").asText());
            JsonNode progress = current.path("progress");
            s.put("phase", progress.path("phase").asText(current.path("kind").asText().toLowerCase()));
            if (running != null && progress.isObject()) {
                for (String field : List.of("step", "total", "loss", "secondsPerStep", "etaSeconds", "updatedAt", "parts")) {
                    if (progress.has(field)) s.set(field, progress.get(field));
                }
                int previews = progress.path("previews").asInt(0);
                if (previews > 0) {
                    s.put("previews", previews);
                    s.put("previewUrl", "/api/jobs/" + current.path("id").asLong() + "/preview");
                }
            }
        }
        return s;
    }

    /** The queued job of the run that workers will take first: its position and expected wait. */
    private static void putQueuePlace(ObjectNode s, List<ObjectNode> jobs, QueueForecast forecast) {
        QueueForecast.Estimate next = null;
        for (ObjectNode job : jobs) {
            if (!"queued".equals(job.path("state").asText())) continue;
            QueueForecast.Estimate e = forecast.of(job.path("id").asLong());
            if (e == null || e.position() == null) continue;
            if (next == null || e.position() < next.position()) next = e;
        }
        if (next == null) return;
        s.put("position", next.position());
        if (next.startsInSeconds() != null) s.put("startsInSeconds", Math.round(next.startsInSeconds()));
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("job_event_json returned invalid JSON", e);
        }
    }
}

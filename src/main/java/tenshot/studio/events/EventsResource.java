package tenshot.studio.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tenshot.queue.JobEvent;
import tenshot.studio.api.Problem;
import tenshot.queue.QueueNotifications;
import tenshot.worker.WorkerRegistry;
import tenshot.worker.Workers;

/**
 * One Server-Sent Events stream per page: every change of the jobs the page shows.
 *
 * <p>On connect it sends each job as a {@code job} event, then a {@code snapshot} event (the
 * summaries of the runs those jobs belong to, see {@link RunSummaries}, and the workers), then a
 * {@code synced} event; then live changes: {@code job} events, a {@code run} event with the run's
 * new summary after each (and when its place in the queue moves), and {@code worker} events (no id) when a worker registers, takes a job,
 * heartbeats or stops. Each event's id is the job's version, which increases
 * over all changes; a client that reconnects with {@code Last-Event-ID} gets every job that changed
 * since, plus every job still queued or running, so it misses nothing that is still current. After
 * the LISTEN connection drops and comes back, changes are re-read from the database. A comment line
 * every {@code tenshot.events.heartbeat} keeps proxies from closing an idle stream.
 */
@Path("/api/events")
public class EventsResource {

    /** Most jobs one snapshot or catch-up sends. */
    static final int SNAPSHOT_LIMIT = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject QueueNotifications notifications;
    @Inject RunSummaries summaries;
    @Inject WorkerRegistry registry;
    @Inject Workers workers;
    @Inject Pool pool;

    @Inject tenshot.studio.access.Caller caller;

    @Inject SseClients clients;

    @ConfigProperty(name = "tenshot.events.heartbeat", defaultValue = "15s")
    Duration heartbeat;

    private record Resync() {}

    private record RunSummary(ObjectNode json) {}

    private record WorkerChange(ObjectNode json) {}

    private static final ObjectMapper WORKER_JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** An event of JSON text; no media type, which would add a {@code content-type:} line to every event. */
    private static OutboundSseEvent text(Sse sse, String name, long id, String data) {
        return sse.newEventBuilder().name(name).id(Long.toString(id)).data(String.class, data).build();
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live job events of some runs (run=1,2), of a team (team=x), or of everything; "
            + "snapshot on connect, Last-Event-ID resume, heartbeat comments")
    public Multi<OutboundSseEvent> stream(@QueryParam("run") List<String> runs, @QueryParam("team") String team,
                                          @HeaderParam("Last-Event-ID") String lastEventId,
                                          @QueryParam("lastEventId") String lastEventIdParam, @Context Sse sse) {
        // Members see their own team's jobs only, whatever they ask for; organisers run the servers and see all.
        if (!caller.isOrganiser()) caller.requireTeam("team", "of this account");
        EventFilter filter = EventFilter.parse(runs, team, caller.isOrganiser() ? null : caller.teamName());
        Long since = parseEventId(lastEventId != null && !lastEventId.isBlank() ? lastEventId : lastEventIdParam);
        Map<Long, Long> sentVersion = new ConcurrentHashMap<>();
        AtomicLong watermark = new AtomicLong(since == null ? 0 : since);

        Map<Long, ObjectNode> sentRun = new ConcurrentHashMap<>();
        Multi<OutboundSseEvent> snapshot = query(filter, since == null ? Scope.INITIAL : Scope.RESUME,
                since == null ? 0 : since)
                .flatMap(rows -> {
                    java.util.Set<Long> runIds = new java.util.TreeSet<>(filter.runs());
                    if (filter.runs().isEmpty()) {
                        for (JobEvent e : rows) {
                            if (e.runId() != null) runIds.add(e.runId());
                            runIds.addAll(e.waitingRuns());
                        }
                    }
                    return summaries.summarize(runIds)
                            .map(all -> all.stream().filter(r -> filter.visible(r.path("team").asText(null))).toList())
                            .flatMap(runSummaries -> registry.list(workers.settings().lostAfter(), filter.visibleTeam()).map(list -> {
                                List<OutboundSseEvent> out = new ArrayList<>();
                                for (JobEvent e : rows) send(e, sentVersion, watermark, sse).ifPresent(out::add);
                                ObjectNode snap = JSON.createObjectNode();
                                snap.put("version", watermark.get());
                                snap.set("runs", JSON.valueToTree(runSummaries));
                                snap.set("workers", WORKER_JSON.valueToTree(list));
                                runSummaries.forEach(r -> sentRun.put(r.path("runId").asLong(), r));
                                out.add(text(sse, "snapshot", watermark.get(), snap.toString()));
                                out.add(text(sse, "synced", watermark.get(),
                                        "{\"version\":" + watermark.get() + ",\"jobs\":" + rows.size() + "}"));
                                return out;
                            }));
                })
                .onItem().transformToMulti(Multi.createFrom()::iterable);

        // live events are subscribed before the catch-up query runs, so nothing falls between them
        Multi<Object> signals = Multi.createBy().merging().streams(
                notifications.events().filter(filter::matches).onOverflow().buffer(10_000).map(e -> (Object) e),
                Multi.createFrom().item((Object) new Resync()),
                notifications.resyncs().onOverflow().drop().map(t -> (Object) new Resync()),
                summaries.live().filter(r -> filter.visible(r.path("team").asText(null))).filter(r -> filter.everything() || filter.runs().contains(r.path("runId").asLong())
                                || (filter.team() != null && filter.team().equals(r.path("team").asText(null))))
                        .onOverflow().buffer(10_000).map(r -> (Object) new RunSummary(r)),
                notifications.workerEvents().onOverflow().buffer(10_000).map(w -> (Object) new WorkerChange(w)));
        Multi<OutboundSseEvent> live = signals.onItem().transformToMultiAndConcatenate(signal -> {
            if (signal instanceof JobEvent e) {
                return Multi.createFrom().optional(send(e, sentVersion, watermark, sse));
            }
            if (signal instanceof RunSummary r) {
                long run = r.json().path("runId").asLong(), version = r.json().path("version").asLong();
                if (!newer(r.json(), sentRun.get(run))) return Multi.createFrom().empty();
                sentRun.put(run, r.json());
                return Multi.createFrom().item(text(sse, "run", version, r.json().toString()));
            }
            if (signal instanceof WorkerChange w) {
                // no id: worker changes are not part of the resumable job history
                return Multi.createFrom().item(sse.newEventBuilder().name("worker").data(String.class, seenBy(w.json(), filter).toString()).build());
            }
            return query(filter, Scope.CHANGED, watermark.get()).onItem().transformToMulti(rows -> {
                List<OutboundSseEvent> out = new ArrayList<>();
                for (JobEvent e : rows) send(e, sentVersion, watermark, sse).ifPresent(out::add);
                return Multi.createFrom().iterable(out);
            });
        });

        Multi<OutboundSseEvent> beats = Multi.createFrom().ticks().every(heartbeat)
                .map(t -> sse.newEventBuilder().comment("heartbeat").build());
        return Multi.createBy().merging().streams(Multi.createBy().concatenating().streams(snapshot, live), beats)
                .onSubscription().invoke(clients::opened)
                .onTermination().invoke(clients::closed);
    }

    /** A worker event as the stream's viewer may see it: another team's job and run are left out. */
    static ObjectNode seenBy(ObjectNode worker, EventFilter filter) {
        String team = worker.path("team").asText(null);
        if (team == null || filter.visible(team)) return worker;
        ObjectNode redacted = worker.deepCopy();
        redacted.putNull("currentJob");
        redacted.putNull("runId");
        redacted.putNull("team");
        return redacted;
    }

    /**
     * Whether a run summary is worth sending after the one sent before: a newer version of its jobs,
     * or the same version with other content (its place in the queue moved because other jobs changed).
     */
    static boolean newer(ObjectNode summary, ObjectNode sent) {
        if (sent == null) return true;
        long version = summary.path("version").asLong(), previous = sent.path("version").asLong();
        return version > previous || version == previous && !summary.equals(sent);
    }

    /** The SSE form of a change, unless this stream already sent that version (or a newer one) of the job. */
    private static java.util.Optional<OutboundSseEvent> send(JobEvent e, Map<Long, Long> sentVersion,
                                                             AtomicLong watermark, Sse sse) {
        Long previous = sentVersion.get(e.jobId());
        if (previous != null && previous >= e.version()) return java.util.Optional.empty();
        sentVersion.put(e.jobId(), e.version());
        watermark.accumulateAndGet(e.version(), Math::max);
        return java.util.Optional.of(text(sse, "job", e.version(), e.json().toString()));
    }

    private enum Scope {
        /** first connect: all jobs of the runs; for a team or everything, active ones and those finished today */
        INITIAL,
        /** reconnect: whatever changed after the client's last event, and everything still active */
        RESUME,
        /** catch-up after (re)subscribing: whatever changed after the last version sent */
        CHANGED
    }

    private Uni<List<JobEvent>> query(EventFilter filter, Scope scope, long since) {
        String scopeCondition = switch (scope) {
            case INITIAL -> "(cardinality($1::bigint[]) > 0 OR state IN ('queued', 'running') "
                    + "OR finished_at > now() - interval '1 day')";
            case RESUME -> "(version > $3 OR state IN ('queued', 'running'))";
            case CHANGED -> "version > $3";
        };
        String sql = "SELECT job_event_json(job)::text AS event FROM job"
                + " WHERE ((cardinality($1::bigint[]) = 0 AND $2::text IS NULL) OR run_id = ANY($1) OR team = $2"
                + "        OR EXISTS (SELECT 1 FROM job_dependency d JOIN job c ON c.id = d.job_id"
                + "                    WHERE d.depends_on = job.id AND c.run_id = ANY($1)))"
                + " AND ($4::text IS NULL OR team = $4)"
                + " AND " + scopeCondition + " AND $3::bigint IS NOT NULL"
                + " ORDER BY version LIMIT " + SNAPSHOT_LIMIT;
        return pool.preparedQuery(sql)
                .execute(Tuple.of(filter.runs().toArray(Long[]::new), filter.team(), since, filter.visibleTeam()))
                .map(rows -> {
                    List<JobEvent> out = new ArrayList<>();
                    for (Row row : rows) {
                        try {
                            out.add(JobEvent.of((ObjectNode) JSON.readTree(row.getString("event"))));
                        } catch (Exception e) {
                            throw new IllegalStateException("job_event_json returned invalid JSON", e);
                        }
                    }
                    return out;
                });
    }

    private static Long parseEventId(String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Last-Event-ID '" + value + "' is not an event id of this stream");
        }
    }

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e) {
        return Problem.of(Response.Status.BAD_REQUEST, e.getMessage()).toResponse();
    }
}

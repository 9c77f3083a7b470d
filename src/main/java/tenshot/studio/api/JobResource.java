package tenshot.studio.api;

import jakarta.annotation.security.RolesAllowed;
import tenshot.studio.access.AccountRole;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tenshot.queue.Job;
import tenshot.queue.JobNotFound;
import tenshot.queue.JobQueue;
import tenshot.queue.JobState;
import tenshot.queue.JobStateConflict;
import tenshot.queue.JobView;
import tenshot.queue.QueueEstimator;
import tenshot.studio.access.AuditLog;
import tenshot.studio.access.Caller;

/**
 * Jobs over HTTP: list, inspect (position, ETA, attempts), cancel, retry, preview image, and the queue
 * order. Members see and act on their own team's jobs only (another team's job answers 404); organisers,
 * who run the servers, on every job.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject JobQueue queue;
    @Inject QueueEstimator estimator;
    @Inject Caller caller;
    @Inject AuditLog audit;
    @Inject tenshot.studio.quota.Quotas quotas;

    /** The team whose jobs the caller sees, or null for every team's (organisers). */
    private String visibleTeam() {
        if (caller.isOrganiser()) return null;
        caller.requireTeam("job", "of this account");
        return caller.teamName();
    }

    private boolean visible(Job job) {
        String team = visibleTeam();
        return team == null || team.equals(job.team());
    }

    /** The job, if the caller may see it; 404 as for a missing job otherwise. */
    private Uni<Job> visibleJob(long id) {
        return queue.get(id).map(job -> {
            if (!visible(job)) throw new JobNotFound(id);
            return job;
        });
    }

    @GET
    @Path("/jobs")
    @Operation(summary = "Jobs filtered by run, team and state, newest first, with queue position and ETA")
    public Uni<List<JobView>> list(@QueryParam("run") Long runId, @QueryParam("team") String team,
                                   @QueryParam("state") String state,
                                   @QueryParam("limit") @DefaultValue("200") int limit) {
        if (limit < 1 || limit > 5000) throw new IllegalArgumentException("limit must be between 1 and 5000, got " + limit);
        JobState wanted = state == null || state.isBlank() ? null : JobState.parse(state);
        String asked = blankToNull(team);
        String mine = visibleTeam();
        if (mine != null && asked != null && !asked.equals(mine)) return Uni.createFrom().item(List.of());
        return queue.list(runId, mine != null ? mine : asked, wanted, limit)
                .flatMap(jobs -> estimator.forecast()
                        .map(f -> jobs.stream().map(j -> JobView.of(j, f, null)).toList()));
    }

    @GET
    @Path("/jobs/{id}")
    @Operation(summary = "One job with its progress, queue position, ETA and every attempt with its outcome and reason")
    public Uni<JobView> get(@PathParam("id") long id) {
        return visibleJob(id).flatMap(job -> queue.attempts(id).flatMap(history -> estimator.forecast()
                .map(f -> JobView.of(job, f, history))));
    }

    @POST
    @Path("/jobs/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Cancel a job: a queued one at once, a running one at its next step. "
            + "Optional JSON body {\"reason\": \"...\"}")
    public Uni<JobView> cancel(@PathParam("id") long id, String body) {
        String reason = reason(body);
        return visibleJob(id).chain(job -> queue.cancel(id, reason))
                .call(j -> audit.record(caller, "job.cancel", "job " + id, reason))
                .map(j -> JobView.of(j, null, null));
    }

    private static String reason(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode reason = json.get("reason");
            if (!json.isObject() || (reason != null && !reason.isTextual() && !reason.isNull())) {
                throw new IllegalArgumentException("cancel body must be {\"reason\": \"text\"}");
            }
            return reason == null || reason.isNull() ? null : reason.asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cancel body is not JSON: " + e.getOriginalMessage());
        }
    }

    @POST
    @Path("/jobs/{id}/retry")
    @Operation(summary = "Queue a failed or cancelled job again (with the jobs that were cancelled because of it)")
    public Uni<JobView> retry(@PathParam("id") long id) {
        return visibleJob(id).chain(job -> quotas.admitJobRetry(id)).chain(() -> queue.retry(id)).flatMap(j -> estimator.forecast().map(f -> JobView.of(j, f, null)));
    }

    @PUT
    @Path("/jobs/{id}/priority")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Operation(summary = "Organisers: set a queued job's priority, JSON body {\"priority\": n} (higher runs first, default 0)")
    public Uni<JobView> priority(@PathParam("id") long id, JsonNode body) {
        JsonNode value = body == null ? null : body.get("priority");
        if (value == null || !value.isInt()) {
            throw new IllegalArgumentException("priority body must be {\"priority\": n} with n a whole number, got "
                    + (body == null ? "no body" : body.toString()));
        }
        int priority = value.intValue();
        return queue.setPriority(id, priority)
                .call(j -> audit.record(caller, "job.priority", "job " + id, "priority " + priority))
                .flatMap(j -> estimator.forecast().map(f -> JobView.of(j, f, null)));
    }

    @GET
    @Path("/jobs/{id}/preview")
    @Produces("image/png")
    @Operation(summary = "The latest preview image the job's worker reported; part=name for one part of it (a board's style)")
    public Uni<Response> preview(@PathParam("id") long id, @QueryParam("part") String part) {
        String key = part == null ? "" : part;
        return visibleJob(id).chain(job -> queue.preview(id, key)).map(png -> png
                .map(bytes -> Response.ok(bytes, "image/png").header("Cache-Control", "no-store").build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "job " + id + " has no preview image"
                        + (key.isEmpty() ? "" : " of part '" + key + "'")).toResponse()));
    }

    /** The queue as the workers will take it. */
    public record QueueView(int liveWorkers, java.util.Map<String, Double> secondsByKind, List<JobView> running,
                            List<JobView> queued) {}

    @GET
    @Path("/queue")
    @Operation(summary = "Running jobs and queued jobs in the order workers will claim them, with positions and ETAs")
    public Uni<QueueView> queueOrder() {
        return estimator.forecast().flatMap(f -> queue.list(null, null, JobState.RUNNING, 5000)
                .flatMap(running -> queue.list(null, null, JobState.QUEUED, 5000).map(queued -> {
                    java.util.Map<Long, Job> byId = new java.util.HashMap<>();
                    queued.forEach(j -> byId.put(j.id(), j));
                    // positions count every team's jobs; members see only their own team's among them
                    List<JobView> ordered = f.order().stream().filter(byId::containsKey).map(byId::get)
                            .filter(this::visible).map(j -> JobView.of(j, f, null)).toList();
                    return new QueueView(f.liveWorkers(), f.secondsByKind(),
                            running.stream().filter(this::visible).map(j -> JobView.of(j, f, null)).toList(), ordered);
                })));
    }

    @ServerExceptionMapper
    public Response notFound(JobNotFound e) {
        return Problem.of(Response.Status.NOT_FOUND, e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response conflict(JobStateConflict e) {
        return Problem.of(Response.Status.CONFLICT, e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response badRequest(IllegalArgumentException e) {
        return Problem.of(Response.Status.BAD_REQUEST, e.getMessage()).toResponse();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}

package tenshot.worker;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import tenshot.studio.api.Problem;

/** A worker-only process ({@code tenshot.role=worker}) serves no studio pages or API, only /q/ endpoints. */
public class WorkerRoleFilter {

    @Inject Workers workers;

    @ServerRequestFilter(preMatching = true)
    public Response refuseInWorkerRole(ContainerRequestContext request) {
        if (workers.role().servesApi()) return null;
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/q/")) return null;
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                "this process runs with tenshot.role=worker and serves no studio; use an api or all process").toResponse();
    }
}

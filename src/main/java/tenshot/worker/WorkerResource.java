package tenshot.worker;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Objects;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.studio.access.Caller;

/** The workers panel: every worker of every process, with what it runs and whether it still answers. */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {

    @Inject WorkerRegistry registry;
    @Inject Workers workers;
    @Inject Caller caller;

    @GET
    @Operation(summary = "Registered workers (idle, busy, lost or stopped) with their device, its free memory,"
            + " and their current job when it is the caller's team's")
    public Uni<List<WorkerInfo>> list() {
        return registry.list(workers.settings().lostAfter(), caller.isOrganiser() ? null : Objects.requireNonNullElse(caller.teamName(), ""));
    }
}

package tenshot.studio.quota;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.studio.access.Caller;
import tenshot.studio.api.ApiException;

/** A member's view of their own team's quotas, for the UI's "3 of 5 GPU-hours used today" line. */
@Path("/api/quota")
@Produces(MediaType.APPLICATION_JSON)
public class QuotaResource {

    @Inject
    Caller caller;

    @Inject
    Quotas quotas;

    @GET
    @WithSession
    @Operation(summary = "Your team's limits (concurrent runs, GPU-minutes and leaderboard submissions per UTC day), today's use and when each resets")
    public Uni<QuotaStatus> mine() {
        if (caller.teamId() == null) {
            throw new ApiException(404, "Not Found", "this account belongs to no team, so it has no quota;"
                    + " organisers read every team's at /api/organiser/quotas", "team");
        }
        return quotas.status(caller.teamId());
    }
}

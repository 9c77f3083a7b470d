package tenshot.studio.board;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The leaderboard API: submissions of scored runs, the ranking per dataset, each team's history. */
@Path("/api/leaderboard")
@Produces(MediaType.APPLICATION_JSON)
public class LeaderboardResource {

    @Inject
    Leaderboard leaderboard;

    @POST
    @Path("submissions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit scored runs of one team: {runIds: [1, 2], dataset: \"A\"|\"B\"|custom}; scores are copied from their scorecards")
    public Uni<Response> submit(Leaderboard.SubmitRequest request) {
        return leaderboard.submit(request).map(view -> Response.status(201)
                .location(jakarta.ws.rs.core.UriBuilder.fromPath("/api/leaderboard/teams/{team}/submissions").build(view.team())).entity(view).build());
    }

    @GET
    @WithSession
    @Operation(summary = "One row per team (its best submission) ranked by final score, ties share a rank, unscored ones unranked with the reason: dataset=A, mode=official")
    public Uni<Leaderboard.Board> board(@QueryParam("dataset") String dataset, @QueryParam("mode") String mode) {
        return leaderboard.board(dataset, mode);
    }

    @GET
    @Path("teams/{team}/submissions")
    @WithSession
    @Operation(summary = "A team's submissions, newest first; dataset=<name> to filter")
    public Uni<List<Leaderboard.SubmissionView>> history(@PathParam("team") String team, @QueryParam("dataset") String dataset) {
        return leaderboard.history(team, dataset);
    }
}

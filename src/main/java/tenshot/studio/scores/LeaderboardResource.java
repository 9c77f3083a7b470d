package tenshot.studio.scores;

import jakarta.annotation.security.RolesAllowed;
import tenshot.studio.access.AccountRole;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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
import tenshot.studio.access.Public;

/** The leaderboard API: submissions of scored runs, the ranking per dataset, each team's history. */
@Path("/api/leaderboard")
@Produces(MediaType.APPLICATION_JSON)
public class LeaderboardResource {

    @Inject
    Leaderboard leaderboard;

    @Inject
    DatasetSplits splits;

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
    @Public
    @Operation(summary = "One row per team (its best submission) ranked by final score, ties share a rank, unscored ones unranked with the reason: dataset=A, mode=official, split=public|hidden (hidden: after the reveal)")
    public Uni<Leaderboard.Board> board(@QueryParam("dataset") String dataset, @QueryParam("mode") String mode,
            @QueryParam("split") String split) {
        return leaderboard.board(dataset, mode, split);
    }

    @GET
    @Path("datasets/{name}")
    @WithSession
    @Public
    @Operation(summary = "A dataset's split: how many prompts are hidden and whether they are revealed (the hidden prompts themselves after the reveal, or to organisers)")
    public Uni<DatasetSplits.Status> dataset(@PathParam("name") String name) {
        return splits.status(Leaderboard.dataset(name));
    }

    @PUT
    @Path("datasets/{name}/split")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Operation(summary = "Define a dataset's hidden prompts before its first submission: {hidden: {\"00\": [\"Dolphin\", ...]}}; every other prompt is public")
    public Uni<DatasetSplits.Status> defineSplit(@PathParam("name") String name, DatasetSplits.SplitRequest request) {
        return splits.define(name, request);
    }

    @POST
    @Path("datasets/{name}/reveal")
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Operation(summary = "Reveal a dataset's hidden scores to everyone (once, audited); the hidden board ranks on them from then on")
    public Uni<DatasetSplits.Status> reveal(@PathParam("name") String name) {
        return splits.reveal(name);
    }

    @GET
    @Path("teams/{team}/submissions")
    @WithSession
    @Public
    @Operation(summary = "A team's submissions, newest first; dataset=<name> to filter")
    public Uni<List<Leaderboard.SubmissionView>> history(@PathParam("team") String team, @QueryParam("dataset") String dataset) {
        return leaderboard.history(team, dataset);
    }
}

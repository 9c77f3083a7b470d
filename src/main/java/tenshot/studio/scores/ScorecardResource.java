package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.scoring.ScorecardExport;
import tenshot.store.Run;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.Downloads;

/** A run's scorecard, as the SCORE job stored it: JSON and CSV. */
@Path("/api")
public class ScorecardResource {

    @Inject
    tenshot.studio.access.TeamScope scope;

    @Inject
    StoredScorecards scorecards;

    @GET
    @Path("runs/{id}/scorecard")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The run's scorecard: mode, final score, every metric with its weight and role or the reason it is missing, per style and per image")
    public String json(@PathParam("id") long id) throws Throwable {
        requireRun(id);
        return scorecards.json(id).orElseThrow(() -> noScorecard(id)).toPrettyString();
    }

    @GET
    @Path("runs/{id}/scorecard.csv")
    @Produces("text/csv")
    @Blocking
    @Operation(summary = "The run's scorecard as CSV: one row per image, per style, then the overall row with the final score")
    public Response csv(@PathParam("id") long id) throws Throwable {
        requireRun(id);
        String csv = ScorecardExport.toCsv(scorecards.card(id).orElseThrow(() -> noScorecard(id)));
        return Response.ok(csv, "text/csv; charset=utf-8")
                .header("Content-Disposition", Downloads.disposition("run-" + id + "-scorecard.csv")).build();
    }

    static ApiException noScorecard(long id) {
        return new ApiException(404, "Not Found", "run " + id + " has no scorecard yet (its SCORE job has not finished)", "scorecard");
    }

    private void requireRun(long id) throws Throwable {
        scope.runNow(id);
    }
}

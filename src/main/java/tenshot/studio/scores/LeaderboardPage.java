package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.scoring.Metric;
import tenshot.studio.BaseModels;

/** The leaderboard page (Qute, works without JavaScript; the UI bundle makes its columns sortable). */
@Path("/leaderboard")
@Produces(MediaType.TEXT_HTML)
public class LeaderboardPage {

    @Inject
    @Location("pages/leaderboard.html")
    Template page;

    @Inject
    @Location("pages/teamHistory.html")
    Template historyPage;

    @Inject
    Leaderboard leaderboard;

    @Inject
    BaseModels models;

    /** A table row with its values formatted; {@code metrics} in the order of the header. */
    /** A metric's cell: its value, or "missing" with the reason. */
    public record Cell(String text, String reason) {}

    public record PageRow(String rank, boolean tie, String team, String finalScore, List<Cell> metrics, String note,
            String runs, String recipe, String created, String history) {}

    public record Column(String key, String label, double weight, String role) {}

    @GET
    @WithSession
    @Operation(hidden = true)
    @tenshot.studio.access.Public
    public Uni<TemplateInstance> get(@QueryParam("dataset") String dataset, @QueryParam("mode") String mode,
            @QueryParam("split") String split) {
        return leaderboard.board(dataset, mode, split).chain(board -> leaderboard.datasets().map(datasets -> page
                .data("board", board)
                .data("rows", rows(board))
                .data("columns", columns())
                .data("datasets", datasets)
                .data("demo", models.demoOnly())));
    }

    @jakarta.ws.rs.POST
    @Path("submissions")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<jakarta.ws.rs.core.Response> submit(@jakarta.ws.rs.FormParam("runId") Long runId,
            @jakarta.ws.rs.FormParam("dataset") String dataset) {
        if (runId == null) throw tenshot.studio.api.ApiException.badField("runId", "give the run to submit");
        return leaderboard.submit(new Leaderboard.SubmitRequest(List.of(runId), dataset))
                .map(view -> jakarta.ws.rs.core.Response.seeOther(jakarta.ws.rs.core.UriBuilder.fromPath("/leaderboard")
                                .queryParam("dataset", view.dataset()).queryParam("mode", view.mode()).build()).build());
    }

    /** One submission in a team's history. */
    public record HistoryRow(long id, String dataset, String mode, String finalScore, List<Cell> metrics, String hidden,
                             String runs, String recipe, String created) {}

    @GET
    @Path("teams/{team}")
    @WithSession
    @Operation(hidden = true)
    @tenshot.studio.access.Public
    public Uni<TemplateInstance> history(@jakarta.ws.rs.PathParam("team") String team, @QueryParam("dataset") String dataset) {
        return leaderboard.history(team, dataset).map(subs -> historyPage
                .data("team", team)
                .data("dataset", dataset == null || dataset.isBlank() ? null : dataset)
                .data("rows", subs.stream().map(LeaderboardPage::historyRow).toList())
                .data("columns", columns())
                .data("demo", models.demoOnly()));
    }

    private static HistoryRow historyRow(Leaderboard.SubmissionView s) {
        return new HistoryRow(s.id(), s.dataset(), s.mode(), s.finalScore() == null ? s.finalNote() : ScorecardView.format(s.finalScore()),
                metricCells(new Leaderboard.ScoreView(s.finalScore(), s.finalNote(), s.metrics(), s.missing(), s.publicImages())),
                s.hidden(), String.join(", ", s.runIds().stream().map(String::valueOf).toList()), recipeNames(s),
                s.createdAt().toString());
    }

    private static List<Column> columns() {
        return List.of(Metric.values()).stream().map(m -> new Column(m.key(), m.label(), m.weight(), m.role())).toList();
    }

    /** One cell per metric: its value, or why it is missing. */
    private static List<Cell> metricCells(Leaderboard.ScoreView score) {
        List<Cell> metrics = new ArrayList<>();
        for (Metric m : Metric.values()) {
            Double v = score == null ? null : score.metrics().get(m.key());
            metrics.add(v != null ? new Cell(ScorecardView.format(v), null)
                    : new Cell("missing", score == null ? "no hidden score" : score.missing().getOrDefault(m.key(), "not computed")));
        }
        return metrics;
    }

    private static String recipeNames(Leaderboard.SubmissionView s) {
        List<String> recipes = new ArrayList<>();
        s.recipes().forEach(n -> recipes.add(n.path("recipeName").asText()));
        return String.join(", ", new java.util.LinkedHashSet<>(recipes));
    }

    private static List<PageRow> rows(Leaderboard.Board board) {
        List<PageRow> rows = new ArrayList<>();
        for (Leaderboard.Row r : board.rows()) {
            Leaderboard.SubmissionView s = r.submission();
            Leaderboard.ScoreView score = board.split().equals(Leaderboard.HIDDEN) ? s.hiddenScore()
                    : new Leaderboard.ScoreView(s.finalScore(), s.finalNote(), s.metrics(), s.missing(), s.publicImages());
            rows.add(new PageRow(r.rank() == null ? "–" : (r.tie() ? "=" : "") + r.rank(), r.tie(), r.team(),
                    ScorecardView.format(r.finalScore()), metricCells(score), r.unrankedReason(),
                    String.join(", ", s.runIds().stream().map(String::valueOf).toList()), recipeNames(s), s.createdAt().toString(),
                    jakarta.ws.rs.core.UriBuilder.fromPath("/leaderboard/teams/{team}").queryParam("dataset", board.dataset())
                            .build(r.team()).toString()));
        }
        return rows;
    }
}

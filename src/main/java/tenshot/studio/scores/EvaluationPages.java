package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.submission.LayoutProblem;
import tenshot.store.StyleSet;
import tenshot.studio.BaseModels;
import tenshot.studio.access.Caller;
import tenshot.studio.access.TeamScope;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.Problem;

/**
 * The evaluation pages (no JavaScript needed): upload results made elsewhere, as a zip or as the style's
 * folder of images, against one of the team's style sets; then the evaluation's status and scorecard.
 */
@Path("/evaluations")
@Produces(MediaType.TEXT_HTML)
public class EvaluationPages {

    @Inject
    @Location("pages/evaluations.html")
    Template listPage;

    @Inject
    @Location("pages/evaluation.html")
    Template evaluationPage;

    @Inject
    EvaluationResource api;

    @Inject
    TeamScope scope;

    @Inject
    Caller caller;

    @Inject
    BaseModels models;

    /** An evaluation in the team's list. */
    public record Row(long id, String styleSet, String mode, int images, String createdAt) {}

    @GET
    @Blocking
    @Operation(hidden = true)
    public TemplateInstance list() throws Throwable {
        return form(null, List.of());
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    @Operation(hidden = true)
    public Response evaluate(@RestForm("styleSet") List<String> styleSets, @RestForm("file") FileUpload file,
                             @RestForm("images") List<FileUpload> images, @RestForm("mode") String mode) throws Throwable {
        try {
            EvaluationResource.Submitted submitted = api.submit(styleSets, file, images, mode);
            if (submitted.problems() == null) return Response.seeOther(URI.create("/evaluations/" + submitted.evaluation().id())).build();
            Problem problem = Problem.of(422, "Submission layout", submitted.problems().size() + " problem(s) in the upload's layout", "file");
            return Response.status(422).entity(form(problem, submitted.problems())).build();
        } catch (ApiException e) {
            return Response.status(e.status()).entity(form(Problem.of(e.status(), e.title(), e.getMessage(), e.subject()), List.of())).build();
        }
    }

    @GET
    @Path("{id}")
    @Blocking
    @Operation(hidden = true)
    public TemplateInstance evaluation(@PathParam("id") long id) throws Throwable {
        EvaluationResource.EvaluationView view = api.get(id);
        List<String> sets = new java.util.ArrayList<>();
        for (long setId : view.styleSetIds()) {
            StyleSet set = scope.styleSetNow(setId);
            sets.add(set.name + " (style " + set.styleId + ")");
        }
        boolean finished = !view.status().equals("queued") && !view.status().equals("running");
        return evaluationPage.data("evaluation", view).data("styleSets", String.join(", ", sets))
                .data("finished", finished)
                .data("scorecard", view.scorecard() == null ? null : ScorecardView.of(ScorecardJson.read(view.scorecard())))
                .data("demo", models.demoOnly());
    }

    private TemplateInstance form(Problem problem, List<LayoutProblem> layout) throws Throwable {
        List<StyleSet> sets = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(scope::styleSets));
        List<Row> rows = caller.teamId() == null ? List.of() : VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                () -> Evaluation.<Evaluation>find("teamId = ?1 and jobId is not null order by id desc", caller.teamId()).range(0, 49).list()))
                .stream().map(e -> new Row(e.id, String.join(", ", sets.stream().filter(s -> e.styleSetIdList().contains(s.id))
                        .map(s -> s.name).toList()), e.scoringMode, e.images, e.createdAt.toString())).toList();
        return listPage.data("sets", sets).data("evaluations", rows).data("modes", List.of(ScoringMode.values()))
                .data("problem", problem).data("layout", layout).data("demo", models.demoOnly());
    }
}

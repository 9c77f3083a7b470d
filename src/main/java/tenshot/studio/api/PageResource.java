package tenshot.studio.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
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
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.store.Run;
import tenshot.studio.BaseModels;
import tenshot.studio.BlockingIo;
import tenshot.studio.Runs;
import tenshot.studio.access.Caller;
import tenshot.studio.access.Public;
import tenshot.studio.access.TeamScope;
import tenshot.studio.upload.UploadRejected;

/**
 * The server-rendered pages (Qute): readable without JavaScript, with plain HTML forms that post here
 * and redirect. The front-end bundle under /ui/ enhances them.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class PageResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    @Location("pages/styleSets.html")
    Template styleSetsPage;

    @Inject
    @Location("pages/styleSet.html")
    Template styleSetPage;

    @Inject
    @Location("pages/runs.html")
    Template runsPage;

    @Inject
    @Location("pages/run.html")
    Template runPage;

    @Inject
    StyleSetResource styleSetApi;

    @Inject
    Runs runs;

    @Inject
    TeamScope scope;

    @Inject
    Caller caller;

    @Inject
    BaseModels models;

    @Inject
    BlockingIo blockingIo;

    @Inject
    tenshot.studio.scores.StoredScorecards scorecards;

    /** A preset as the page shows it. */
    public record PresetView(String name, String json) {}

    /** The run form's fields as sent, shown again when the form is refused. */
    public record RunForm(String recipe, String baseModel, String settings, boolean train) {
        static final RunForm EMPTY = new RunForm(TrainingRecipe.PRESETS.get(0), null, "", true);
    }

    @GET
    @Public
    @Operation(hidden = true)
    public Response home() {
        return Response.seeOther(URI.create(caller.signedIn() ? "/style-sets" : "/login")).build();
    }

    @GET
    @Path("style-sets")
    @WithSession
    @Operation(hidden = true)
    public Uni<TemplateInstance> styleSets() {
        return styleSetApi.list().map(sets -> styleSetsPage.data("sets", sets).data("problem", null).data("demo", models.demoOnly()));
    }

    @POST
    @Path("style-sets")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true)
    public Uni<Response> upload(MultipartFormDataInput input) {
        Uni<Response> created;
        try {
            created = styleSetApi.upload(input).map(r -> Response.seeOther(URI.create("/style-sets/" + ((StyleSetView) r.getEntity()).id())).build());
        } catch (UploadRejected e) {
            created = Uni.createFrom().failure(e);
        }
        return created.onFailure(UploadRejected.class).recoverWithUni(e -> {
            UploadRejected rejected = (UploadRejected) e;
            Problem problem = Problem.of(rejected.status(), "Upload rejected", rejected.getMessage(), rejected.subject());
            return Panache.withSession(() -> styleSetApi.list()).map(sets -> Response.status(rejected.status())
                    .type(MediaType.TEXT_HTML_TYPE)
                    .entity(styleSetsPage.data("sets", sets).data("problem", problem).data("demo", models.demoOnly()))
                    .build());
        });
    }

    @GET
    @Path("style-sets/{id}")
    @WithSession
    @Operation(hidden = true)
    public Uni<TemplateInstance> styleSet(@PathParam("id") long id) {
        return styleSetApi.get(id).chain(set -> styleSetPage(set, null, RunForm.EMPTY));
    }

    @POST
    @Path("runs")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> startRun(@FormParam("styleSetId") Long styleSetId, @FormParam("recipe") String recipe,
            @FormParam("baseModel") String baseModel, @FormParam("settings") String settings, @FormParam("train") String train) {
        if (styleSetId == null) throw ApiException.badField("styleSetId", "missing");
        // the "No training" checkbox sends train=false; unticked, the field is absent
        RunForm form = new RunForm(recipe, baseModel, settings, !"false".equals(train));
        return Uni.createFrom().deferred(() -> runs.create(new Runs.CreateRun(styleSetId, RunSettings.recipe(recipe, settings), baseModel,
                        null, null, form.train())))
                .map(run -> Response.seeOther(URI.create("/runs/" + run.id)).build())
                .onFailure(e -> e instanceof ApiException refused && refused.status() == 400)
                .recoverWithUni(e -> refusedRun(styleSetId, form, (ApiException) e));
    }

    /** A form the person got wrong: the style set's page again, the problem above the form as they sent it. */
    private Uni<Response> refusedRun(long styleSetId, RunForm form, ApiException refused) {
        Problem problem = Problem.of(refused.status(), refused.title(), refused.getMessage(), refused.subject());
        return Panache.withSession(() -> styleSetApi.get(styleSetId)).chain(set -> styleSetPage(set, problem, form))
                .map(page -> Response.status(refused.status()).type(MediaType.TEXT_HTML_TYPE).entity(page).build());
    }

    private Uni<TemplateInstance> styleSetPage(StyleSetView set, Problem problem, RunForm form) {
        return blockingIo.run(models::list).map(list -> styleSetPage.data("set", set).data("problem", problem).data("form", form)
                .data("presets", presets()).data("models", list).data("demo", models.demoOnly()));
    }

    @GET
    @Path("runs")
    @WithSession
    @Operation(hidden = true)
    public Uni<TemplateInstance> runList() {
        return scope.runs(null).chain(list -> Multi.createFrom().iterable(list)
                .onItem().transformToUniAndConcatenate(runs::view).collect().asList())
                .map(views -> runsPage.data("runs", views).data("demo", models.demoOnly()));
    }

    @GET
    @Path("runs/{id}")
    @WithSession
    @Operation(hidden = true)
    public Uni<TemplateInstance> run(@PathParam("id") long id) {
        return scope.run(id).chain(runs::view).chain(view -> styleSetApi.get(view.styleSetId())
                .chain(set -> blockingIo.run(() -> java.util.Optional.ofNullable(scorecards.view(id))).map(card -> runPage.data("run", view)
                        .data("styleImages", set.images())
                        .data("images", view.downloads().images())
                        .data("changes", view.changes() == null ? null : changes(view.changes()))
                        .data("settings", pretty(view.recipe()))
                        .data("scorecard", card.orElse(null))
                        .data("demo", models.demoOnly()))));
    }

    @POST
    @Path("runs/{id}/cancel")
    @WithSession
    @Operation(hidden = true)
    public Uni<Response> cancel(@PathParam("id") long id) {
        return scope.run(id).chain(run -> runs.cancel(id)).map(n -> Response.seeOther(URI.create("/runs/" + id)).build());
    }

    @POST
    @Path("runs/{id}/retry")
    @WithSession
    @Operation(hidden = true)
    public Uni<Response> retry(@PathParam("id") long id) {
        return scope.run(id).chain(run -> runs.retry(id)).map(n -> Response.seeOther(URI.create("/runs/" + id)).build());
    }

    private static String pretty(JsonNode json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is always writable", e);
        }
    }

    private static String changes(JsonNode changes) {
        StringBuilder out = new StringBuilder();
        changes.fields().forEachRemaining(e -> out.append(out.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                .append(e.getValue().path("from")).append(" → ").append(e.getValue().path("to")));
        return out.toString();
    }

    private static List<PresetView> presets() {
        return TrainingRecipe.PRESETS.stream().map(n -> new PresetView(n, TrainingRecipe.preset(n).toJson())).toList();
    }

}

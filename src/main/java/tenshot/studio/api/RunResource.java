package tenshot.studio.api;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.store.ArtifactStore;
import tenshot.store.Run;
import tenshot.store.StyleSet;
import tenshot.studio.BaseModels;
import tenshot.studio.access.TeamScope;
import tenshot.studio.Runs;
import tenshot.studio.jobs.BoardSpec;
import tenshot.studio.jobs.RunSpec;
import tenshot.studio.jobs.SubmissionZip;
import tenshot.studio.upload.PromptList;

/** Runs, their recipes and models, and their results. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Inject
    Runs runs;

    @Inject
    BaseModels models;

    @Inject
    Downloads downloads;

    @Inject
    ArtifactStore store;

    @Inject
    TeamScope scope;

    /** A preset recipe. */
    public record Preset(String name, com.fasterxml.jackson.databind.JsonNode recipe) {}

    @GET
    @Path("recipes")
    @Operation(summary = "The recipe presets (baseline, safe, aggressive) with every setting")
    public List<Preset> recipes() {
        return TrainingRecipe.PRESETS.stream().map(n -> new Preset(n, TrainingRecipe.preset(n).toJsonTree())).toList();
    }

    @GET
    @Path("models")
    @Operation(summary = "The base models runs can use; the demo model's images are noise")
    public List<BaseModels.BaseModel> baseModels() {
        return models.list();
    }

    @POST
    @Path("runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run of one of your team's style sets: {styleSetId, recipe: preset name or {base, ...overrides}, baseModel, scoringMode: official (default) or corrected, train: false for no PRIOR/TRAIN (base-model generation, training-free StyleID)}")
    public Uni<Response> create(Runs.CreateRun request) {
        return runs.create(request).chain(run -> Panache.withSession(() -> runs.view(run)))
                .map(view -> Response.status(201).header("Location", "/api/runs/" + view.id()).entity(view).build());
    }

    @GET
    @Path("runs")
    @WithSession
    @Operation(summary = "Your team's runs, newest first; styleSet=<id> to filter")
    public Uni<List<RunView>> list(@QueryParam("styleSet") Long styleSetId) {
        return scope.runs(styleSetId).chain(list -> Multi.createFrom().iterable(list).onItem().transformToUniAndConcatenate(runs::view)
                .collect().asList());
    }

    @GET
    @Path("runs/{id}")
    @WithSession
    @Operation(summary = "One run with its jobs, progress and downloads")
    public Uni<RunView> get(@PathParam("id") long id) {
        return scope.run(id).chain(runs::view);
    }

    @POST
    @Path("runs/{id}/cancel")
    @WithSession
    @Operation(summary = "Cancel a run: queued jobs at once, a running one at its next step")
    public Uni<RunView> cancel(@PathParam("id") long id) {
        return scope.run(id).chain(run -> runs.cancel(id).chain(n -> runs.view(run)));
    }

    @POST
    @Path("runs/{id}/retry")
    @WithSession
    @Operation(summary = "Retry a failed or cancelled run from where it stopped")
    public Uni<RunView> retry(@PathParam("id") long id) {
        return scope.run(id).chain(run -> runs.retry(id).chain(n -> runs.view(run)));
    }

    @POST
    @Path("runs/{id}/rerun")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run again with changed settings: {recipe: {field: value}, baseModel}; the new run records what changed")
    public Uni<Response> rerun(@PathParam("id") long id, Runs.Rerun request) {
        return runs.rerun(id, request).chain(run -> Panache.withSession(() -> runs.view(run)))
                .map(view -> Response.status(201).header("Location", "/api/runs/" + view.id()).entity(view).build());
    }

    // ---- downloads (blocking: they stream from the artifact store) ----------------------------

    @GET
    @Path("runs/{id}/images/{prompt}.png")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "One generated image, named {Prompt}.png")
    public Response image(@PathParam("id") long id, @PathParam("prompt") String prompt, @HeaderParam("Range") String range)
            throws Throwable {
        StyleSet set = styleSetOf(id);
        if (!PromptList.fromStored(set.prompts).contains(prompt)) throw ApiException.notFound("prompt of run " + id, prompt);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.IMAGES + prompt + ".png", "image/png", prompt + ".png", range);
    }

    @GET
    @Path("runs/{id}/grid.png")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "The grid: style images on top, then every generation with its prompt")
    public Response grid(@PathParam("id") long id, @HeaderParam("Range") String range) throws Throwable {
        StyleSet set = styleSetOf(id);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.GRID, "image/png", "run-" + id + "-" + set.styleId + "-grid.png", range);
    }

    @GET
    @Path("runs/{id}/lora.safetensors")
    @Produces("application/octet-stream")
    @Blocking
    @Operation(summary = "The trained LoRA (diffusers pytorch_lora_weights.safetensors)")
    public Response lora(@PathParam("id") long id, @HeaderParam("Range") String range) throws Throwable {
        StyleSet set = styleSetOf(id);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.LORA, "application/octet-stream",
                "run-" + id + "-style_" + set.styleId + "-lora.safetensors", range);
    }

    @GET
    @Path("runs/{id}/submission.zip")
    @Produces("application/zip")
    @Blocking
    @Operation(summary = "The run's images in the submission layout {style_id}/{Prompt}.png, with config.json")
    public Response zip(@PathParam("id") long id, @HeaderParam("Range") String range) throws Throwable {
        StyleSet set = styleSetOf(id);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.ZIP, "application/zip", "run-" + id + "-" + set.styleId + ".zip", range);
    }

    @GET
    @Path("runs/{id}/config.json")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The run's config: recipe, base model, style images and prompts")
    public Response config(@PathParam("id") long id, @HeaderParam("Range") String range) throws Throwable {
        styleSetOf(id);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.CONFIG, MediaType.APPLICATION_JSON, "run-" + id + "-config.json", range);
    }

    @GET
    @Path("runs/{id}/scorecard.json")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The run's scorecard")
    public Response scorecard(@PathParam("id") long id, @HeaderParam("Range") String range) throws Throwable {
        styleSetOf(id);
        return downloads.serve(RunSpec.prefix(id) + RunSpec.SCORECARD, MediaType.APPLICATION_JSON,
                "run-" + id + "-scorecard.json", range);
    }

    @GET
    @Path("runs/{id}/styles/{styleId}/images/{prompt}.png")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "One generated image of one style of a board run, named {Prompt}.png")
    public Response boardImage(@PathParam("id") long id, @PathParam("styleId") String styleId, @PathParam("prompt") String prompt,
            @HeaderParam("Range") String range) throws Throwable {
        StyleSet set = boardStyle(id, styleId);
        if (!PromptList.fromStored(set.prompts).contains(prompt)) {
            throw ApiException.notFound("prompt of style " + styleId + " of run " + id, prompt);
        }
        return downloads.serve(BoardSpec.stylePrefix(id, set.styleId) + RunSpec.IMAGES + prompt + ".png", "image/png",
                prompt + ".png", range);
    }

    @GET
    @Path("runs/{id}/styles/{styleId}/grid.png")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "The grid of one style of a board run: its style images, then its generations")
    public Response boardGrid(@PathParam("id") long id, @PathParam("styleId") String styleId, @HeaderParam("Range") String range)
            throws Throwable {
        StyleSet set = boardStyle(id, styleId);
        return downloads.serve(BoardSpec.stylePrefix(id, set.styleId) + RunSpec.GRID, "image/png",
                "run-" + id + "-" + set.styleId + "-grid.png", range);
    }

    @GET
    @Path("runs/{id}/styles/{styleId}/lora.safetensors")
    @Produces("application/octet-stream")
    @Blocking
    @Operation(summary = "The LoRA of one style of a board run (diffusers pytorch_lora_weights.safetensors)")
    public Response boardLora(@PathParam("id") long id, @PathParam("styleId") String styleId, @HeaderParam("Range") String range)
            throws Throwable {
        StyleSet set = boardStyle(id, styleId);
        return downloads.serve(BoardSpec.stylePrefix(id, set.styleId) + RunSpec.LORA, "application/octet-stream",
                "run-" + id + "-style_" + set.styleId + "-lora.safetensors", range);
    }

    @GET
    @Path("submission.zip")
    @Produces("application/zip")
    @Blocking
    @Operation(summary = "Several runs (one per style) zipped as one challenge submission: runs=1,2,3")
    public Response submission(@QueryParam("runs") String runIds) throws Throwable {
        if (runIds == null || runIds.isBlank()) throw ApiException.badField("runs", "give run ids: runs=1,2,3");
        List<SubmissionZip.Part> parts = new ArrayList<>();
        for (String token : runIds.split(",")) {
            long id;
            try {
                id = Long.parseLong(token.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badField("runs", "not a run id: " + token);
            }
            List<StyleSet> sets = styleSetsOf(id);
            String configKey = RunSpec.prefix(id) + RunSpec.CONFIG;
            if (!store.exists(configKey)) {
                throw ApiException.conflict("runs", "run " + id + " has no results yet (its grid and zip are not assembled)");
            }
            String config;
            try (var in = store.open(configKey)) {
                config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (sets.size() == 1) {
                parts.add(new SubmissionZip.Part(sets.get(0).styleId, PromptList.fromStored(sets.get(0).prompts),
                        RunSpec.prefix(id) + RunSpec.IMAGES, config));
                continue;
            }
            // a board (two or more style sets): its config.json holds each style's config by style id
            com.fasterxml.jackson.databind.JsonNode configs = JSON.readTree(config);
            for (StyleSet set : sets) {
                parts.add(new SubmissionZip.Part(set.styleId, PromptList.fromStored(set.prompts),
                        BoardSpec.stylePrefix(id, set.styleId) + RunSpec.IMAGES, JSON.writeValueAsString(configs.get(set.styleId))));
            }
        }
        try {
            SubmissionZip.checkDistinct(parts);
        } catch (IllegalArgumentException e) {
            throw ApiException.conflict("runs", e.getMessage());
        }
        StreamingOutput body = out -> SubmissionZip.write(store, parts, out);
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", Downloads.disposition("submission.zip")).build();
    }

    /** The style sets of one of the team's runs (a board's in board order), from a blocking endpoint; 404 for other runs. */
    private List<StyleSet> styleSetsOf(long runId) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> scope.run(runId)
                .chain(run -> run.board ? Runs.boardStyleSets(run.id)
                        : StyleSet.<StyleSet>findById(run.styleSetId).map(List::of))));
    }

    /** The style set of style {@code styleId} of one of the team's board runs; 409 for a run of one style set, 404 for anything else. */
    private StyleSet boardStyle(long runId, String styleId) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> scope.run(runId)
                .chain(run -> {
                    if (!run.board) throw ApiException.conflict("run", "run " + runId + " trains one style set, not a board; its results are under /api/runs/" + runId + "/");
                    return Runs.boardStyleSets(run.id);
                }))).stream().filter(set -> set.styleId.equals(styleId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("style of board run " + runId, styleId));
    }

    /** The style set of one of the team's runs, read from a blocking endpoint; 404 for other runs. */
    private StyleSet styleSetOf(long runId) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> scope.run(runId)
                .chain(run -> StyleSet.<StyleSet>findById(run.styleSetId))));
    }

}

package tenshot.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.queue.Job;
import tenshot.queue.JobQueue;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
import tenshot.queue.Needs;
import tenshot.store.Run;
import tenshot.store.RunStatus;
import tenshot.store.StyleImage;
import tenshot.store.StyleSet;
import tenshot.store.Team;
import tenshot.studio.access.AuditLog;
import tenshot.studio.access.Caller;
import tenshot.studio.access.TeamScope;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.RunView;
import tenshot.studio.jobs.JobKinds;
import tenshot.studio.jobs.RunSpec;
import tenshot.studio.quota.Quotas;
import tenshot.studio.upload.PromptList;

/**
 * Runs: a style set × a recipe × a base model, turned into queue jobs (class images shared between
 * identical runs, training, generation of every prompt, grid and zip). A run's status is read from
 * its jobs, so it is as current as the queue.
 */
@ApplicationScoped
public class Runs {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobQueue queue;

    @Inject
    BaseModels models;

    @Inject
    Quotas quotas;

    @Inject
    TeamScope scope;

    @Inject
    Caller caller;

    @Inject
    BlockingIo blockingIo;

    @Inject
    AuditLog audit;

    /**
     * What creating a run takes; {@code recipe} is a preset name or a recipe object ({@code {"base": "safe", "steps": 400}}),
     * {@code scoringMode} official (default) or corrected.
     */
    public record CreateRun(Long styleSetId, JsonNode recipe, String baseModel, String scoringMode) {

        public CreateRun(Long styleSetId, JsonNode recipe, String baseModel) {
            this(styleSetId, recipe, baseModel, null);
        }
    }

    /** What a re-run changes: recipe fields to override, and optionally another base model. */
    public record Rerun(JsonNode recipe, String baseModel) {}

    public Uni<Run> create(CreateRun request) {
        if (request == null || request.styleSetId() == null) throw ApiException.badField("styleSetId", "missing");
        // Another team's style set answers 404 before anything about the request is judged.
        return Panache.withTransaction(() -> scope.styleSet(request.styleSetId()).chain(set -> {
            TrainingRecipe recipe = recipe(request.recipe());
            String mode = scoringMode(request.scoringMode());
            return blockingIo.run(() -> model(request.baseModel()))
                    .chain(model -> persist(set, set.teamId, recipe, model, null, null, mode).call(quotas::admitStart));
        })).call(this::enqueue);
    }

    public Uni<Run> rerun(long parentId, Rerun request) {
        return Panache.withTransaction(() -> scope.run(parentId).chain(parent -> {
            TrainingRecipe before = TrainingRecipe.fromJson(parent.recipe);
            TrainingRecipe after = before;
            if (request != null && request.recipe() != null && !request.recipe().isNull()) {
                if (!request.recipe().isObject()) throw ApiException.badField("recipe", "give the fields to change as an object");
                try {
                    after = before.with(JSON.convertValue(request.recipe(), Map.class));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badField("recipe", e.getMessage());
                }
            }
            ObjectNode changes = JSON.createObjectNode();
            before.changesTo(after).forEach((field, values) -> {
                if (field.equals("name")) return;
                ObjectNode change = changes.putObject(field);
                change.set("from", JSON.valueToTree(values.get(0)));
                change.set("to", JSON.valueToTree(values.get(1)));
            });
            TrainingRecipe recipe = after;
            Uni<String> model = request != null && request.baseModel() != null
                    ? blockingIo.run(() -> model(request.baseModel())) : Uni.createFrom().item(parent.baseModel);
            return model.chain(chosen -> {
                if (!chosen.equals(parent.baseModel)) changes.putObject("baseModel").put("from", parent.baseModel).put("to", chosen);
                return StyleSet.<StyleSet>findById(parent.styleSetId)
                        .chain(set -> persist(set, parent.teamId, recipe, chosen, parent.id, changes.toString(), parent.scoringMode)
                                .call(quotas::admitStart));
            });
        })).call(this::enqueue);
    }

    /** Cancels one of the caller's team's runs (the caller checked it is theirs); audited. */
    public Uni<Integer> cancel(long id) {
        return queue.cancelRun(id, "cancelled by " + caller.username())
                .call(n -> audit.record(caller, "run.cancel", "run " + id, n + " jobs cancelled"));
    }

    public Uni<Integer> retry(long id) {
        return quotas.admitRetry(id).chain(() -> queue.retryRun(id));
    }

    private Uni<Run> persist(StyleSet set, long teamId, TrainingRecipe recipe, String model, Long parent, String changes,
                             String scoringMode) {
        Run run = new Run();
        run.scoringMode = scoringMode;
        run.teamId = teamId;
        run.styleSetId = set.id;
        run.recipeName = recipe.name();
        run.recipe = recipe.toJson();
        run.baseModel = model;
        run.status = RunStatus.QUEUED;
        run.parentRunId = parent;
        run.changes = changes;
        return run.persist();
    }

    /** The jobs of a new run, enqueued after its row is committed. */
    private Uni<List<Job>> enqueue(Run run) {
        return Panache.withSession(() -> StyleSet.<StyleSet>findById(run.styleSetId)
                .chain(set -> StyleImage.of(set.id).chain(images -> Team.<Team>findById(run.teamId)
                        .map(team -> jobs(run, set, images, team.name)))))
                .chain(queue::enqueueChain);
    }

    List<NewJob> jobs(Run run, StyleSet set, List<StyleImage> images, String team) {
        TrainingRecipe recipe = TrainingRecipe.fromJson(run.recipe);
        RunSpec spec = new RunSpec(run.id, set.id, set.styleId, run.baseModel, run.recipe,
                images.stream().map(i -> new RunSpec.StyleImageRef(i.objectName, i.artifactKey)).toList(),
                PromptList.fromStored(set.prompts), run.scoringMode);
        JsonNode payload = JSON.valueToTree(spec);
        List<NewJob> jobs = new ArrayList<>();
        Needs engine = JobKinds.engineNeeds(run.baseModel);
        if (recipe.usesPrior()) {
            jobs.add(NewJob.of(JobKinds.PRIOR).run(run.id).team(team).payload(payload).needs(engine)
                    .dedupeKey(priorKey(run.baseModel, recipe, spec)));
        }
        jobs.add(NewJob.of(JobKinds.TRAIN).run(run.id).team(team).payload(payload).needs(engine));
        jobs.add(NewJob.of(JobKinds.GENERATE).run(run.id).team(team).payload(payload).needs(engine));
        jobs.add(NewJob.of(JobKinds.ASSEMBLE).run(run.id).team(team).payload(payload));
        jobs.add(NewJob.of(JobKinds.SCORE).run(run.id).team(team).payload(payload));
        return jobs;
    }

    /**
     * Class images depend only on the base model, the class prompts and the class-image settings; runs
     * that agree on those share one PRIOR job.
     */
    static String priorKey(String model, TrainingRecipe recipe, RunSpec spec) {
        java.util.Set<String> objects = new java.util.TreeSet<>(spec.prompts());
        spec.images().forEach(i -> objects.add(i.objectName()));
        List<String> classPrompts = objects.stream().map(o -> new PromptTemplate(recipe.classPrompt()).render(o, "")).toList();
        String identity = String.join("\n", model, String.valueOf(recipe.seed()), String.valueOf(recipe.classImagesPerPrompt()),
                String.valueOf(recipe.classImageSteps()), String.valueOf(recipe.classImageGuidance()),
                String.valueOf(recipe.resolution()), String.join("|", classPrompts));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "prior:" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    TrainingRecipe recipe(JsonNode node) {
        try {
            if (node == null || node.isNull()) return TrainingRecipe.preset("baseline");
            if (node.isTextual()) return TrainingRecipe.preset(node.asText());
            if (node.isObject()) {
                ObjectNode copy = ((ObjectNode) node).deepCopy();
                if (!copy.has("base") && !isCompleteRecipe(copy)) copy.put("base", "baseline");
                return TrainingRecipe.fromJson(JSON.writeValueAsString(copy));
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("recipe", e.getMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.badField("recipe", e.getOriginalMessage());
        }
        throw ApiException.badField("recipe", "a preset name (" + TrainingRecipe.PRESETS + ") or a recipe object");
    }

    /** A recipe object naming every field needs no base; a partial one (even {@code {"adapter": "dora"}}) overrides baseline. */
    private static boolean isCompleteRecipe(ObjectNode recipe) {
        for (java.lang.reflect.RecordComponent field : TrainingRecipe.class.getRecordComponents()) {
            if (!recipe.has(field.getName())) return false;
        }
        return true;
    }

    /** The scoring mode's key, checked; null or blank is official. */
    static String scoringMode(String requested) {
        try {
            return tenshot.scoring.ScoringMode.of(requested).key();
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("scoringMode", e.getMessage());
        }
    }

    String model(String requested) {
        if (requested == null || requested.isBlank()) {
            return models.defaultModel().map(BaseModels.BaseModel::id).orElseThrow(() -> ApiException.badField("baseModel",
                    "no base model is installed in the models directory"));
        }
        return models.find(requested).map(BaseModels.BaseModel::id).orElseThrow(() -> ApiException.badField("baseModel",
                "unknown base model '" + requested + "'; installed: " + models.list().stream().map(BaseModels.BaseModel::id).toList()));
    }

    // ---- reading -------------------------------------------------------------------------------

    public Uni<RunView> view(Run run) {
        return queue.ofRun(run.id).map(jobs -> view(run, jobs));
    }

    static RunView view(Run run, List<Job> jobs) {
        String status = run.status.name();
        String phase = null;
        JsonNode progress = null;
        String error = run.error;
        if (!jobs.isEmpty()) {
            Optional<Job> failed = jobs.stream().filter(j -> j.state() == JobState.FAILED).findFirst();
            Optional<Job> running = jobs.stream().filter(j -> j.state() == JobState.RUNNING).findFirst();
            if (failed.isPresent()) {
                status = RunStatus.FAILED.name();
                error = failed.get().kind().toLowerCase() + ": " + failed.get().error();
            } else if (jobs.stream().anyMatch(j -> j.state() == JobState.CANCELLED)) {
                status = RunStatus.CANCELLED.name();
            } else if (jobs.stream().allMatch(j -> j.state() == JobState.SUCCEEDED)) {
                status = RunStatus.SUCCEEDED.name();
            } else if (running.isPresent()) {
                status = RunStatus.RUNNING.name();
                phase = running.get().kind().toLowerCase();
                progress = running.get().progress();
            } else {
                status = RunStatus.QUEUED.name();
            }
        }
        String base = "/api/runs/" + run.id + "/";
        boolean trained = succeeded(jobs, JobKinds.TRAIN);
        boolean generated = succeeded(jobs, JobKinds.GENERATE);
        boolean assembled = succeeded(jobs, JobKinds.ASSEMBLE);
        boolean scored = succeeded(jobs, JobKinds.SCORE);
        List<RunView.Image> images = new ArrayList<>();
        if (generated) {
            long seed = readTree(run.recipe).path("seed").asLong();
            for (Job job : jobs) {
                if (!job.kind().equals(JobKinds.GENERATE)) continue;
                int index = 0;
                for (JsonNode prompt : job.payload().path("prompts")) {
                    images.add(new RunView.Image(prompt.asText(), base + "images/" + encode(prompt.asText()) + ".png",
                            RunSpec.imageSeed(seed, index++)));
                }
            }
        }
        RunView.Downloads downloads = new RunView.Downloads(assembled ? base + "grid.png" : null,
                assembled ? base + "submission.zip" : null, trained ? base + "lora.safetensors" : null,
                assembled ? base + "config.json" : null, scored ? base + "scorecard.json" : null, images);
        List<RunView.JobSummary> summaries = jobs.stream().map(j -> new RunView.JobSummary(j.id(), j.kind(),
                j.state().name(), j.dependsOn(), j.progress(), j.error(), "/api/jobs/" + j.id() + "/preview")).toList();
        return new RunView(run.id, run.styleSetId, jobs.isEmpty() ? null : jobs.get(0).payload().path("styleId").asText(null), run.teamId, run.recipeName, readTree(run.recipe), run.baseModel,
                run.scoringMode, status, phase, progress, error, run.parentRunId, run.changes == null ? null : readTree(run.changes),
                run.createdAt == null ? Instant.now() : run.createdAt, summaries, downloads);
    }

    private static boolean succeeded(List<Job> jobs, String kind) {
        return jobs.stream().anyMatch(j -> j.kind().equals(kind) && j.state() == JobState.SUCCEEDED);
    }

    static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is invalid: " + json, e);
        }
    }
}

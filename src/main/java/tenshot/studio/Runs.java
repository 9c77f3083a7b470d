package tenshot.studio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
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
import java.util.function.Function;
import tenshot.diffusion.train.PromptTemplate;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.queue.Job;
import tenshot.queue.JobQueue;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
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
import tenshot.studio.jobs.BoardSpec;
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
    Pool pool;

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

    /** The most style sets one board run trains together (board B of the challenge has 28). */
    public static final int MAX_BOARD_STYLES = 64;

    /**
     * What creating a run takes; {@code recipe} is a preset name or a recipe object ({@code {"base": "safe", "steps": 400}}),
     * {@code scoringMode} official (default) or corrected. {@code styleSetIds} instead of {@code styleSetId}
     * starts a board run: every style set trained together, one submission for all. {@code train} false (default
     * true) trains nothing: the run generates with the base model (training-free StyleID with
     * {@code generation.styleInjection}); its recipe's training fields are not used.
     */
    public record CreateRun(Long styleSetId, JsonNode recipe, String baseModel, String scoringMode, List<Long> styleSetIds,
            Boolean train) {

        public CreateRun(Long styleSetId, JsonNode recipe, String baseModel, String scoringMode) {
            this(styleSetId, recipe, baseModel, scoringMode, null, null);
        }

        public CreateRun(Long styleSetId, JsonNode recipe, String baseModel) {
            this(styleSetId, recipe, baseModel, null, null, null);
        }

        boolean trains() {
            return train == null || train;
        }
    }

    /** What a re-run changes: recipe fields to override, and optionally another base model. */
    public record Rerun(JsonNode recipe, String baseModel) {}

    public Uni<Run> create(CreateRun request) {
        if (request != null && request.styleSetIds() != null) return createBoard(request);
        if (request == null || request.styleSetId() == null) throw ApiException.badField("styleSetId", "missing");
        // Another team's style set answers 404 before anything about the request is judged.
        return Panache.withSession(() -> scope.styleSet(request.styleSetId()).chain(set -> {
            TrainingRecipe recipe = recipe(request.recipe());
            String mode = scoringMode(request.scoringMode());
            return blockingIo.run(() -> model(request.baseModel()))
                    .chain(model -> single(set, set.teamId, recipe, model, null, null, mode, request.trains()));
        })).chain(this::insert);
    }

    /**
     * A board run: several of the team's style sets (distinct style ids) × one recipe × one base model,
     * trained in the same UNet passes and generated in shared batches.
     */
    private Uni<Run> createBoard(CreateRun request) {
        if (request.styleSetId() != null) {
            throw ApiException.badField("styleSetIds", "give styleSetId for a run of one style set or styleSetIds for a board run, not both");
        }
        if (!request.trains()) {
            throw ApiException.badField("train", "a board run trains its styles together; a run without training takes one style set"
                    + " (styleSetId)");
        }
        List<Long> ids = request.styleSetIds();
        if (ids.size() < 2) {
            throw ApiException.badField("styleSetIds", "a board run needs at least 2 style sets, got " + ids.size()
                    + "; a single style set runs with styleSetId");
        }
        if (ids.size() > MAX_BOARD_STYLES) {
            throw ApiException.badField("styleSetIds", "a board run trains at most " + MAX_BOARD_STYLES + " style sets, got " + ids.size());
        }
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Long id : ids) {
            if (id == null) throw ApiException.badField("styleSetIds", "contains null; give style set ids");
            if (!seen.add(id)) throw ApiException.badField("styleSetIds", "style set " + id + " appears twice");
        }
        return Panache.withSession(() -> styleSets(ids).chain(sets -> {
            Map<String, Long> byStyle = new java.util.HashMap<>();
            for (StyleSet set : sets) {
                Long other = byStyle.putIfAbsent(set.styleId, set.id);
                if (other != null) {
                    throw ApiException.badField("styleSetIds", "style sets " + other + " and " + set.id + " both have style id "
                            + set.styleId + ": a board has one style set per style");
                }
            }
            TrainingRecipe recipe = recipe(request.recipe());
            checkBoardRecipe(recipe);
            String mode = scoringMode(request.scoringMode());
            return blockingIo.run(() -> model(request.baseModel()))
                    .chain(model -> board(sets, sets.get(0).teamId, recipe, model, null, null, mode));
        })).chain(this::insert);
    }

    /** What a board run cannot do: text-encoder adapters, style guidance. */
    private static void checkBoardRecipe(TrainingRecipe recipe) {
        if (recipe.generation().styleGuidance() != null) {
            throw ApiException.badField("recipe", "a board run does not take generation.styleGuidance (its shared batches have"
                    + " no guidance): set it to null, or run the style sets one by one");
        }
        if (recipe.trainsTextEncoder()) {
            throw ApiException.badField("recipe", "a board run trains UNet adapters only: set textEncoderRank to 0 (it is "
                    + recipe.textEncoderRank() + ")");
        }
    }

    /** The team's style sets of these ids, in order; another team's id answers 404. */
    private Uni<List<StyleSet>> styleSets(List<Long> ids) {
        Uni<List<StyleSet>> all = Uni.createFrom().item(new ArrayList<>());
        for (Long id : ids) all = all.chain(found -> scope.styleSet(id).map(set -> {
            found.add(set);
            return found;
        }));
        return all;
    }

    private static Uni<Void> recordBoard(SqlConnection conn, Run run, List<StyleSet> sets) {
        if (sets.isEmpty()) return Uni.createFrom().voidItem();
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) rows.add(Tuple.of(run.id, i, sets.get(i).id));
        return conn.preparedQuery("INSERT INTO board_style_set (run_id, position, style_set_id) VALUES ($1, $2, $3)")
                .executeBatch(rows).replaceWithVoid();
    }

    /** A board run's style sets, in board order. */
    public static Uni<List<StyleSet>> boardStyleSets(long runId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        SELECT s.* FROM style_set s JOIN board_style_set b ON b.style_set_id = s.id
                         WHERE b.run_id = ?1 ORDER BY b.position""", StyleSet.class)
                .setParameter(1, runId).getResultList());
    }

    public Uni<Run> rerun(long parentId, Rerun request) {
        return Panache.withSession(() -> scope.run(parentId).chain(parent -> {
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
                if (parent.board) {
                    checkBoardRecipe(recipe);
                    return boardStyleSets(parent.id).chain(sets -> board(sets, parent.teamId, recipe, chosen, parent.id,
                            changes.toString(), parent.scoringMode));
                }
                return StyleSet.<StyleSet>findById(parent.styleSetId)
                        .chain(set -> single(set, parent.teamId, recipe, chosen, parent.id, changes.toString(), parent.scoringMode,
                                parent.train));
            });
        })).chain(this::insert);
    }

    /** Cancels one of the caller's team's runs (the caller checked it is theirs); audited. */
    public Uni<Integer> cancel(long id) {
        return queue.cancelRun(id, "cancelled by " + caller.username())
                .call(n -> audit.record(caller, "run.cancel", "run " + id, n + " jobs cancelled"));
    }

    public Uni<Integer> retry(long id) {
        return quotas.admitRetry(id).chain(() -> queue.retryRun(id));
    }

    /**
     * A run about to be created: its row (no id yet), a board's style sets in board order (none for a
     * run of one style set), and its jobs once the row has an id.
     */
    private record Creation(Run run, List<StyleSet> board, Function<Run, List<NewJob>> jobs) {}

    private static Run row(StyleSet set, long teamId, TrainingRecipe recipe, String model, Long parent, String changes,
                           String scoringMode, boolean board, boolean train) {
        Run run = new Run();
        run.board = board;
        run.train = train;
        run.scoringMode = scoringMode;
        run.teamId = teamId;
        run.styleSetId = set.id;
        run.recipeName = recipe.name();
        run.recipe = recipe.toJson();
        run.baseModel = model;
        run.parentRunId = parent;
        run.changes = changes;
        return run;
    }

    /** Reads what a run of one style set's jobs are made of, in the caller's session. */
    private Uni<Creation> single(StyleSet set, long teamId, TrainingRecipe recipe, String model, Long parent, String changes,
                                 String scoringMode, boolean train) {
        Run run = row(set, teamId, recipe, model, parent, changes, scoringMode, false, train);
        return StyleImage.of(set.id).chain(images -> Team.<Team>findById(teamId)
                .map(team -> new Creation(run, List.of(), created -> jobs(created, set, images, team.name))));
    }

    /** Reads what a board run's jobs are made of, in the caller's session. */
    private Uni<Creation> board(List<StyleSet> sets, long teamId, TrainingRecipe recipe, String model, Long parent,
                                String changes, String scoringMode) {
        Run run = row(sets.get(0), teamId, recipe, model, parent, changes, scoringMode, true, true);
        return boardInputs(sets).chain(images -> Team.<Team>findById(teamId)
                .map(team -> new Creation(run, sets, created -> boardJobs(created, sets, images, team.name))));
    }

    /**
     * Admits the run against the team's quotas, then writes its row, a board's style sets and all its
     * jobs in one transaction: a failure anywhere leaves none of them, and no listener sees a run
     * without its jobs.
     */
    private Uni<Run> insert(Creation creation) {
        return pool.withTransaction(conn -> quotas.admitStart(conn, creation.run().teamId)
                .chain(() -> creation.run().insert(conn))
                .call(run -> recordBoard(conn, run, creation.board()))
                .call(run -> queue.enqueueChain(conn, creation.jobs().apply(run))));
    }

    List<NewJob> jobs(Run run, StyleSet set, List<StyleImage> images, String team) {
        TrainingRecipe recipe = TrainingRecipe.fromJson(run.recipe);
        RunSpec spec = new RunSpec(run.id, set.id, set.styleId, run.baseModel, run.recipe,
                images.stream().map(i -> new RunSpec.StyleImageRef(i.objectName, i.artifactKey)).toList(),
                PromptList.fromStored(set.prompts), run.scoringMode, set.promptTemplate, run.train);
        JsonNode payload = JSON.valueToTree(spec);
        List<NewJob> jobs = new ArrayList<>();
        if (run.train) {
            if (recipe.usesPrior()) jobs.add(job(JobKinds.PRIOR, run, team, payload).dedupeKey(priorKey(run.baseModel, recipe, spec)));
            jobs.add(job(JobKinds.TRAIN, run, team, payload));
        }
        for (String kind : List.of(JobKinds.GENERATE, JobKinds.ASSEMBLE, JobKinds.SCORE)) {
            jobs.add(job(kind, run, team, payload));
        }
        return jobs;
    }

    private static NewJob job(String kind, Run run, String team, JsonNode payload) {
        return NewJob.of(kind).run(run.id).team(team).payload(payload).needs(JobKinds.needs(kind, run.baseModel));
    }

    private static Uni<List<List<StyleImage>>> boardInputs(List<StyleSet> sets) {
        Uni<List<List<StyleImage>>> all = Uni.createFrom().item(new ArrayList<>());
        for (StyleSet set : sets) all = all.chain(found -> StyleImage.of(set.id).map(images -> {
            found.add(images);
            return found;
        }));
        return all;
    }

    /**
     * A board's jobs: a PRIOR per style when the recipe uses class images (shared with any run of the same
     * class-image settings), then one TRAIN, one GENERATE, one ASSEMBLE and one SCORE for the whole board.
     */
    List<NewJob> boardJobs(Run run, List<StyleSet> sets, List<List<StyleImage>> images, String team) {
        TrainingRecipe recipe = TrainingRecipe.fromJson(run.recipe);
        List<NewJob> jobs = new ArrayList<>();
        List<BoardSpec.Style> styles = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            StyleSet set = sets.get(i);
            List<RunSpec.StyleImageRef> refs = images.get(i).stream().map(im -> new RunSpec.StyleImageRef(im.objectName, im.artifactKey)).toList();
            List<String> prompts = PromptList.fromStored(set.prompts);
            styles.add(new BoardSpec.Style(set.id, set.styleId, refs, prompts, set.promptTemplate));
            if (recipe.usesPrior()) {
                RunSpec spec = new RunSpec(run.id, set.id, set.styleId, run.baseModel, run.recipe, refs, prompts, run.scoringMode,
                        set.promptTemplate, true);
                jobs.add(job(JobKinds.PRIOR, run, team, JSON.valueToTree(spec)).dedupeKey(priorKey(run.baseModel, recipe, spec)));
            }
        }
        JsonNode payload = JSON.valueToTree(new BoardSpec(run.id, run.baseModel, run.recipe, run.scoringMode, styles));
        for (String kind : List.of(JobKinds.TRAIN, JobKinds.GENERATE, JobKinds.ASSEMBLE, JobKinds.SCORE)) {
            jobs.add(job(kind, run, team, payload));
        }
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
        String status = RunStatus.QUEUED.name();
        String phase = null;
        JsonNode progress = null;
        String error = null;
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
        List<RunView.BoardStyle> board = null;
        long seed = readTree(run.recipe).path("seed").asLong();
        if (run.board) {
            board = new ArrayList<>();
            Optional<Job> train = jobs.stream().filter(j -> j.kind().equals(JobKinds.TRAIN)).findFirst();
            JsonNode styles = train.map(j -> j.payload().path("styles")).orElse(JSON.createArrayNode());
            Map<String, RunView.Training> training = train.map(Runs::styleTraining).orElse(Map.of());
            for (JsonNode style : styles) {
                String styleId = style.path("styleId").asText();
                String styleBase = base + "styles/" + encode(styleId) + "/";
                List<RunView.Image> styleImages = new ArrayList<>();
                if (generated) {
                    int index = 0;
                    for (JsonNode prompt : style.path("prompts")) {
                        styleImages.add(new RunView.Image(prompt.asText(), styleBase + "images/" + encode(prompt.asText()) + ".png",
                                RunSpec.imageSeed(seed, index++)));
                    }
                }
                board.add(new RunView.BoardStyle(style.path("styleSetId").asLong(), styleId, training.get(styleId),
                        assembled ? styleBase + "grid.png" : null, trained ? styleBase + "lora.safetensors" : null, styleImages));
            }
        } else if (generated) {
            for (Job job : jobs) {
                if (!job.kind().equals(JobKinds.GENERATE)) continue;
                int index = 0;
                for (JsonNode prompt : job.payload().path("prompts")) {
                    images.add(new RunView.Image(prompt.asText(), base + "images/" + encode(prompt.asText()) + ".png",
                            RunSpec.imageSeed(seed, index++)));
                }
            }
        }
        boolean single = !run.board;
        RunView.Downloads downloads = new RunView.Downloads(assembled && single ? base + "grid.png" : null,
                assembled ? base + "submission.zip" : null, trained && single ? base + "lora.safetensors" : null,
                assembled ? base + "config.json" : null, scored ? base + "scorecard.json" : null, images);
        List<RunView.JobSummary> summaries = jobs.stream().map(j -> new RunView.JobSummary(j.id(), j.kind(),
                j.state().name(), j.dependsOn(), j.progress(), j.error(), "/api/jobs/" + j.id() + "/preview")).toList();
        return new RunView(run.id, run.styleSetId, jobs.isEmpty() ? null : jobs.get(0).payload().path("styleId").asText(null), run.teamId, run.recipeName, readTree(run.recipe), run.train, run.baseModel,
                run.scoringMode, status, phase, progress, error, run.parentRunId, run.changes == null ? null : readTree(run.changes),
                run.createdAt == null ? Instant.now() : run.createdAt, summaries, downloads, board);
    }

    /** Each style's latest training report, from the parts of a board TRAIN job's stored progress. */
    private static Map<String, RunView.Training> styleTraining(Job train) {
        Map<String, RunView.Training> out = new java.util.HashMap<>();
        JsonNode progress = train.progress();
        if (progress == null) return out;
        for (JsonNode part : progress.path("parts")) {
            String name = part.path("name").asText();
            int previews = part.path("previews").asInt(0);
            out.put(name, new RunView.Training(part.path("step").asInt(), part.path("total").asInt(),
                    part.hasNonNull("loss") ? part.get("loss").asDouble() : null,
                    previews > 0 ? "/api/jobs/" + train.id() + "/preview?part=" + encode(name) + "&n=" + previews : null, previews));
        }
        return out;
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

package tenshot.studio.scores;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
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
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import tenshot.queue.Job;
import tenshot.queue.JobQueue;
import tenshot.queue.NewJob;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.submission.LayoutProblem;
import tenshot.scoring.submission.ReferenceDataset;
import tenshot.scoring.submission.SubmissionArchive;
import tenshot.scoring.submission.SubmissionCheck;
import tenshot.store.ArtifactStore;
import tenshot.store.StyleImage;
import tenshot.scoring.ScoringMode;
import tenshot.store.StyleSet;
import tenshot.store.Team;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.Downloads;
import tenshot.studio.api.Problem;
import tenshot.studio.jobs.EvaluateHandler;
import tenshot.studio.jobs.EvaluationSpec;
import tenshot.studio.jobs.RunSpec;
import tenshot.studio.jobs.ScoreArtifacts;
import tenshot.studio.upload.PromptList;

/**
 * Evaluates a submission made elsewhere: a zip in the challenge layout {@code NN/{Prompt}.png} checked
 * against a style set (its style id, prompts and images). Layout problems come back at once, per file,
 * as problem+json; a complete upload is stored and scored by an EVALUATE job on a worker with every
 * installed metric, and its scorecard is fetched from {@code GET /api/evaluations/{id}} when done.
 */
@Path("/api/evaluations")
public class EvaluationResource {

    @Inject
    tenshot.studio.access.TeamScope scope;

    @Inject
    tenshot.studio.access.Caller caller;

    private static final long MAX_UNPACKED = 2L << 30;
    /** A board has 15 styles of 25 prompts in the challenge. */
    private static final int MAX_IMAGES = 2000;
    /** The challenge's boards have 15 styles; a few boards' worth at once is the most that makes sense. */
    private static final int MAX_STYLES = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ArtifactStore store;

    @Inject
    JobQueue queue;

    @Inject
    StoredScorecards scorecards;

    @Inject
    tenshot.studio.jobs.ScorecardWriter writer;

    /** An evaluation: {@code status} is its job's (queued, running, succeeded, failed, cancelled). */
    public record EvaluationView(long id, long styleSetId, List<Long> styleSetIds, String scoringMode, int images, long jobId, String status, String error,
            Instant createdAt, JsonNode scorecard) {}

    /** What an upload came to: an evaluation queued for scoring, or the problems of its layout. */
    public record Submitted(EvaluationView evaluation, List<LayoutProblem> problems) {}

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Evaluate results made elsewhere against your style sets: form fields styleSet=<id> (repeated, or 1,2,3, for several styles: a whole board with one pooled FID), and either file=<zip in the layout NN/{Prompt}.png> or images=<the {Prompt}.png files: one style's folder, or with several styles each in its NN/ folder>, mode=official (default) or corrected; 422 problem+json with the problems per file, or 202 with the evaluation, scored by a worker with every installed metric")
    public Response evaluate(@RestForm("styleSet") List<String> styleSets, @RestForm("file") FileUpload file,
                             @RestForm("images") List<FileUpload> images, @RestForm("mode") String mode) throws Throwable {
        Submitted submitted = submit(styleSets, file, images, mode);
        if (submitted.problems() != null) return layoutProblems(submitted.problems());
        EvaluationView view = submitted.evaluation();
        return Response.accepted(view).location(java.net.URI.create("/api/evaluations/" + view.id())).build();
    }

    /** One reference style: the caller's style set and its images. */
    private record Reference(StyleSet set, List<StyleImage> images) {

        List<RunSpec.StyleImageRef> refs() {
            return images.stream().map(i -> new RunSpec.StyleImageRef(i.objectName, i.artifactKey)).toList();
        }
    }

    /**
     * Checks an upload (a zip, or image files) against some of the caller's style sets, and queues it for
     * scoring when its layout is complete. Call from a blocking endpoint.
     */
    public Submitted submit(List<String> styleSetIds, FileUpload zip, List<FileUpload> images, String mode) throws Throwable {
        List<Long> ids = styleSetIds(styleSetIds);
        List<FileUpload> files = images == null ? List.of() : images.stream().filter(f -> f.size() > 0 || !f.fileName().isBlank()).toList();
        if ((zip == null) == files.isEmpty()) {
            throw ApiException.badField("file", "attach either the submission zip (file) or the images (images), one of the two");
        }
        ScoringMode scoringMode;
        try {
            scoringMode = ScoringMode.of(mode);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("mode", e.getMessage());
        }
        List<Reference> references = new ArrayList<>();
        for (long id : ids) {
            StyleSet set = scope.styleSetNow(id);
            if (references.stream().anyMatch(r -> r.set().styleId.equals(set.styleId))) {
                throw ApiException.badField("styleSet", "two of the style sets have style id " + set.styleId
                        + "; a submission has one folder per style");
            }
            references.add(new Reference(set, VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                    () -> StyleImage.<StyleImage>list("styleSetId = ?1 order by position", id)))));
        }
        java.nio.file.Path work = Files.createTempDirectory("tenshot-evaluation-");
        try {
            List<ReferenceDataset.Style> styles = new ArrayList<>();
            for (Reference reference : references) {
                List<java.nio.file.Path> refFiles = writer.stageReferences(reference.refs(),
                        work.resolve("references").resolve(reference.set().styleId));
                styles.add(new ReferenceDataset.Style(reference.set().styleId, refFiles, PromptList.fromStored(reference.set().prompts)));
            }
            ReferenceDataset dataset = new ReferenceDataset(work.resolve("references"), styles);
            java.nio.file.Path upload = zip != null ? unzip(zip, work.resolve("upload"))
                    : folder(files, work.resolve("upload"), styles.stream().map(ReferenceDataset.Style::id).toList());
            SubmissionCheck check = SubmissionCheck.run(upload, dataset, 0, 0, scoringMode);
            if (!check.complete()) return new Submitted(null, check.problems());
            return new Submitted(enqueue(references, check.scorable(), scoringMode), null);
        } finally {
            deleteTree(work);
        }
    }

    /** The style set ids of the form: the field repeated, or ids separated by commas. */
    private static List<Long> styleSetIds(List<String> fields) {
        List<Long> ids = new ArrayList<>();
        for (String field : fields == null ? List.<String>of() : fields) {
            for (String part : field.split(",")) {
                if (part.isBlank()) continue;
                try {
                    long id = Long.parseLong(part.strip());
                    if (!ids.contains(id)) ids.add(id);
                } catch (NumberFormatException e) {
                    throw ApiException.badField("styleSet", "not a style set id: " + part.strip());
                }
            }
        }
        if (ids.isEmpty()) throw ApiException.badField("styleSet", "give the id of the reference style set (or several)");
        if (ids.size() > MAX_STYLES) throw ApiException.badField("styleSet", "at most " + MAX_STYLES + " style sets, got " + ids.size());
        return ids;
    }

    private static java.nio.file.Path unzip(FileUpload zip, java.nio.file.Path into) {
        try {
            return SubmissionArchive.extract(zip.uploadedFile(), into, MAX_UNPACKED);
        } catch (IOException e) {
            throw ApiException.badField("file", "not a readable zip: " + e.getMessage());
        }
    }

    /**
     * The uploaded images in the layout {@code NN/{Prompt}.png}. With one style, only a file's base name
     * counts (a browser's folder upload sends "folder/Prompt.png"); with several, its folder must be its
     * style's id. No name reaches a path unchecked.
     */
    private static java.nio.file.Path folder(List<FileUpload> images, java.nio.file.Path into, List<String> styleIds) throws IOException {
        if (images.size() > MAX_IMAGES) throw ApiException.badField("images", "at most " + MAX_IMAGES + " files, got " + images.size());
        for (FileUpload image : images) {
            String[] parts = image.fileName().replace('\\', '/').split("/");
            String name = parts[parts.length - 1];
            String style = styleIds.size() == 1 ? styleIds.get(0) : parts.length >= 2 ? parts[parts.length - 2] : "";
            if (name.isBlank() || name.startsWith(".") || name.length() > 255) {
                throw ApiException.badField("images", "not a file name of the layout {Prompt}.png: '" + image.fileName() + "'");
            }
            if (!styleIds.contains(style)) {
                throw ApiException.badField("images", "'" + image.fileName() + "' is not in a style's folder: with several styles,"
                        + " each image goes in the folder of its style id (" + String.join(", ", styleIds) + ")");
            }
            java.nio.file.Path target = Files.createDirectories(into.resolve(style)).resolve(name);
            if (Files.exists(target)) throw ApiException.badField("images", "the file " + style + "/" + name + " is given twice");
            Files.copy(image.uploadedFile(), target);
        }
        return into;
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "An evaluation: its job's status, and the scorecard (every installed metric) once it succeeded")
    public EvaluationView get(@PathParam("id") long id) throws Throwable {
        Evaluation e = find(id);
        Job job = VertxContextSupport.subscribeAndAwait(() -> queue.get(e.jobId));
        JsonNode card = job.state() == tenshot.queue.JobState.SUCCEEDED
                ? scorecards.read(ScoreArtifacts.ofEvaluation(id).scorecardKey(), "scorecard of evaluation " + id).orElse(null)
                : null;
        return view(e, job, card);
    }

    @GET
    @Path("{id}/scorecard.csv")
    @Produces("text/csv")
    @Blocking
    @Operation(summary = "The evaluation's scorecard as CSV, once its job succeeded")
    public Response csv(@PathParam("id") long id) throws Throwable {
        find(id);
        JsonNode card = scorecards.read(ScoreArtifacts.ofEvaluation(id).scorecardKey(), "scorecard of evaluation " + id)
                .orElseThrow(() -> new ApiException(404, "Not Found", "evaluation " + id + " has no scorecard yet (its job has not finished)", "scorecard"));
        return Response.ok(ScorecardExport.toCsv(ScorecardJson.read(card)), "text/csv; charset=utf-8")
                .header("Content-Disposition", Downloads.disposition("evaluation-" + id + "-scorecard.csv")).build();
    }

    private Evaluation find(long id) throws Throwable {
        Evaluation e = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Evaluation.<Evaluation>findById(id)));
        if (e == null || e.jobId == null) throw ApiException.notFound("evaluation", id);
        return caller.owned(e, e.teamId, "evaluation", id);
    }

    /** Stores the checked images, then the row, then the job; a failure on the way removes what was stored. */
    private EvaluationView enqueue(List<Reference> references, List<tenshot.scoring.ScoredStyle> scorable, ScoringMode mode) throws Throwable {
        StyleSet first = references.get(0).set();
        Evaluation e = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> {
            Evaluation row = new Evaluation();
            row.teamId = first.teamId;
            row.styleSetId = first.id;
            row.styleSetIds = String.join(",", references.stream().map(r -> String.valueOf(r.set().id)).toList());
            row.images = scorable.stream().mapToInt(s -> s.generated().size()).sum();
            row.scoringMode = mode.key();
            return row.<Evaluation>persist();
        }));
        try {
            // Ids of a test database start again while its artifact store may not: never mix in an older upload.
            store.deleteAll(ScoreArtifacts.ofEvaluation(e.id).prefix());
            List<EvaluationSpec.Style> styles = new ArrayList<>();
            for (tenshot.scoring.ScoredStyle style : scorable) {
                Reference reference = references.stream().filter(r -> r.set().styleId.equals(style.name())).findFirst().orElseThrow();
                List<EvaluationSpec.GeneratedImage> stored = new ArrayList<>();
                for (java.nio.file.Path p : style.generated()) {
                    String name = p.getFileName().toString();
                    String key = EvaluationSpec.imageKey(e.id, style.name(), name);
                    store.put(key, p);
                    stored.add(new EvaluationSpec.GeneratedImage(name, key));
                }
                styles.add(new EvaluationSpec.Style(style.name(), reference.refs(), stored));
            }
            EvaluationSpec spec = new EvaluationSpec(e.id, styles, mode.key());
            Team team = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Team.<Team>findById(first.teamId)));
            Job job = VertxContextSupport.subscribeAndAwait(() -> queue.enqueue(NewJob.of(EvaluateHandler.KIND).team(team.name)
                    .payload(JSON.valueToTree(spec))));
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Evaluation.<Evaluation>findById(e.id)
                    .invoke(row -> row.jobId = job.id())));
            e.jobId = job.id();
            return view(e, job, null);
        } catch (Throwable t) {
            store.deleteAll(ScoreArtifacts.ofEvaluation(e.id).prefix());
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Evaluation.deleteById(e.id)));
            throw t;
        }
    }

    private static EvaluationView view(Evaluation e, Job job, JsonNode card) {
        return new EvaluationView(e.id, e.styleSetId, e.styleSetIdList(), e.scoringMode, e.images, job.id(), job.state().db(), job.error(), e.createdAt, card);
    }

    private static Response layoutProblems(List<LayoutProblem> problems) {
        Problem p = Problem.of(422, "Submission layout", problems.size() + " problem(s) in the upload's layout", "file");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        body.put("subject", p.subject());
        List<Map<String, String>> list = new ArrayList<>();
        for (LayoutProblem lp : problems) list.add(Map.of("file", lp.file(), "kind", lp.kind().name(), "message", lp.message()));
        body.put("problems", list);
        return Response.status(422).type(Problem.MEDIA_TYPE).entity(body).build();
    }

    private static void deleteTree(java.nio.file.Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var walk = Files.walk(root)) {
            for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

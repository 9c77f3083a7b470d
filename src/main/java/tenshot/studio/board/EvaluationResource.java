package tenshot.studio.board;

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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
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
    /** A style has 25 prompts in the challenge; a folder of more than this is not one style's results. */
    private static final int MAX_IMAGES = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ArtifactStore store;

    @Inject
    JobQueue queue;

    @Inject
    StoredScorecards scorecards;

    /** An evaluation: {@code status} is its job's (queued, running, succeeded, failed, cancelled). */
    public record EvaluationView(long id, long styleSetId, String scoringMode, int images, long jobId, String status, String error,
            Instant createdAt, JsonNode scorecard) {}

    /** What an upload came to: an evaluation queued for scoring, or the problems of its layout. */
    public record Submitted(EvaluationView evaluation, List<LayoutProblem> problems) {}

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Evaluate results made elsewhere against one of your style sets: form fields styleSet=<id>, and either file=<zip in the layout NN/{Prompt}.png> or images=<the style's {Prompt}.png files, e.g. its folder>, mode=official (default) or corrected; 422 problem+json with the problems per file, or 202 with the evaluation, scored by a worker with every installed metric")
    public Response evaluate(@RestForm("styleSet") Long styleSetId, @RestForm("file") FileUpload file,
                             @RestForm("images") List<FileUpload> images, @RestForm("mode") String mode) throws Throwable {
        Submitted submitted = submit(styleSetId, file, images, mode);
        if (submitted.problems() != null) return layoutProblems(submitted.problems());
        EvaluationView view = submitted.evaluation();
        return Response.accepted(view).location(java.net.URI.create("/api/evaluations/" + view.id())).build();
    }

    /**
     * Checks an upload (a zip, or the style's images) against one of the caller's style sets, and queues
     * it for scoring when its layout is complete. Call from a blocking endpoint.
     */
    public Submitted submit(Long styleSetId, FileUpload zip, List<FileUpload> images, String mode) throws Throwable {
        if (styleSetId == null) throw ApiException.badField("styleSet", "give the id of the reference style set");
        List<FileUpload> files = images == null ? List.of() : images.stream().filter(f -> f.size() > 0 || !f.fileName().isBlank()).toList();
        if ((zip == null) == files.isEmpty()) {
            throw ApiException.badField("file", "attach either the submission zip (file) or the style's images (images), one of the two");
        }
        ScoringMode scoringMode;
        try {
            scoringMode = ScoringMode.of(mode);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("mode", e.getMessage());
        }
        StyleSet set = scope.styleSetNow(styleSetId);
        List<StyleImage> references = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                () -> StyleImage.<StyleImage>list("styleSetId = ?1 order by position", styleSetId)));
        java.nio.file.Path work = Files.createTempDirectory("tenshot-evaluation-");
        try {
            java.nio.file.Path refs = Files.createDirectories(work.resolve("references"));
            List<java.nio.file.Path> refFiles = new ArrayList<>();
            for (StyleImage image : references) {
                java.nio.file.Path target = refs.resolve(image.objectName + ".png");
                try (InputStream in = store.open(image.artifactKey)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                refFiles.add(target);
            }
            ReferenceDataset dataset = new ReferenceDataset(refs, List.of(
                    new ReferenceDataset.Style(set.styleId, refFiles, PromptList.fromStored(set.prompts))));
            java.nio.file.Path upload = zip != null ? unzip(zip, work.resolve("upload")) : folder(files, work.resolve("upload"), set.styleId);
            SubmissionCheck check = SubmissionCheck.run(upload, dataset, 0, 0);
            if (!check.complete()) return new Submitted(null, check.problems());
            return new Submitted(enqueue(set, references, check.scorable().get(0).generated(), scoringMode), null);
        } finally {
            deleteTree(work);
        }
    }

    private static java.nio.file.Path unzip(FileUpload zip, java.nio.file.Path into) {
        try {
            return SubmissionArchive.extract(zip.uploadedFile(), into, MAX_UNPACKED);
        } catch (IOException e) {
            throw ApiException.badField("file", "not a readable zip: " + e.getMessage());
        }
    }

    /**
     * The uploaded images as the style's folder {@code NN/}: only their base names count (a browser's
     * folder upload sends "folder/Prompt.png"), and no name reaches a path unchecked.
     */
    private static java.nio.file.Path folder(List<FileUpload> images, java.nio.file.Path into, String styleId) throws IOException {
        if (images.size() > MAX_IMAGES) throw ApiException.badField("images", "at most " + MAX_IMAGES + " files, got " + images.size());
        java.nio.file.Path style = Files.createDirectories(into.resolve(styleId));
        for (FileUpload image : images) {
            String name = image.fileName().replace('\\', '/');
            name = name.substring(name.lastIndexOf('/') + 1);
            if (name.isBlank() || name.startsWith(".") || name.length() > 255) {
                throw ApiException.badField("images", "not a file name of the layout {Prompt}.png: '" + image.fileName() + "'");
            }
            java.nio.file.Path target = style.resolve(name);
            if (Files.exists(target)) throw ApiException.badField("images", "the file " + name + " is given twice");
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
    private EvaluationView enqueue(StyleSet set, List<StyleImage> references, List<java.nio.file.Path> generated,
                                   ScoringMode mode) throws Throwable {
        Evaluation e = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> {
            Evaluation row = new Evaluation();
            row.teamId = set.teamId;
            row.styleSetId = set.id;
            row.images = generated.size();
            row.scoringMode = mode.key();
            return row.<Evaluation>persist();
        }));
        try {
            // Ids of a test database start again while its artifact store may not: never mix in an older upload.
            store.deleteAll(ScoreArtifacts.ofEvaluation(e.id).prefix());
            List<EvaluationSpec.GeneratedImage> stored = new ArrayList<>();
            for (java.nio.file.Path p : generated) {
                String name = p.getFileName().toString();
                String key = EvaluationSpec.imageKey(e.id, name);
                store.put(key, p);
                stored.add(new EvaluationSpec.GeneratedImage(name, key));
            }
            EvaluationSpec spec = new EvaluationSpec(e.id, set.styleId,
                    references.stream().map(i -> new RunSpec.StyleImageRef(i.objectName, i.artifactKey)).toList(), stored,
                    mode.key());
            Team team = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Team.<Team>findById(set.teamId)));
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
        return new EvaluationView(e.id, e.styleSetId, e.scoringMode, e.images, job.id(), job.state().db(), job.error(), e.createdAt, card);
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

package tenshot.studio.board;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.submission.LayoutProblem;
import tenshot.scoring.submission.ReferenceDataset;
import tenshot.scoring.submission.SubmissionArchive;
import tenshot.scoring.submission.SubmissionCheck;
import tenshot.store.ArtifactStore;
import tenshot.store.StyleImage;
import tenshot.store.StyleSet;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.Problem;
import tenshot.studio.upload.PromptList;

/**
 * Evaluates a submission made elsewhere: a zip in the challenge layout {@code NN/{Prompt}.png} checked
 * against a style set (its style id, prompts and images). Layout problems come back per file as
 * problem+json; a complete upload gets its scorecard directly, hist only (the model metrics need the
 * engine thread of a worker; they are marked missing with that reason).
 */
@Path("/api/evaluations")
public class EvaluationResource {

    static final String HIST_ONLY = "not computed for uploaded evaluations in the studio (hist only); "
            + "use the CLI `tenshot score --models DIR` for the model metrics";
    private static final long MAX_UNPACKED = 2L << 30;

    @Inject
    ArtifactStore store;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Evaluate a zip in the layout NN/{Prompt}.png against a style set: form fields styleSet=<id>, file=<zip>; 422 problem+json with the problems per file, or the scorecard (hist only)")
    public Response evaluate(@RestForm("styleSet") Long styleSetId, @RestForm("file") FileUpload file) throws Throwable {
        if (styleSetId == null) throw ApiException.badField("styleSet", "give the id of the reference style set");
        if (file == null) throw ApiException.badField("file", "attach the submission zip");
        StyleSet set = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> StyleSet.<StyleSet>findById(styleSetId)));
        if (set == null) throw ApiException.notFound("style set", styleSetId);
        List<StyleImage> images = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                () -> StyleImage.<StyleImage>list("styleSetId = ?1 order by position", styleSetId)));
        java.nio.file.Path work = Files.createTempDirectory("tenshot-evaluation-");
        try {
            java.nio.file.Path refs = Files.createDirectories(work.resolve("references"));
            List<java.nio.file.Path> refFiles = new ArrayList<>();
            for (StyleImage image : images) {
                java.nio.file.Path target = refs.resolve(image.objectName + ".png");
                try (InputStream in = store.open(image.artifactKey)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                refFiles.add(target);
            }
            ReferenceDataset dataset = new ReferenceDataset(refs, List.of(
                    new ReferenceDataset.Style(set.styleId, refFiles, PromptList.fromStored(set.prompts))));
            java.nio.file.Path upload;
            try {
                upload = SubmissionArchive.extract(file.uploadedFile(), work.resolve("upload"), MAX_UNPACKED);
            } catch (IOException e) {
                throw ApiException.badField("file", "not a readable zip: " + e.getMessage());
            }
            SubmissionCheck check = SubmissionCheck.run(upload, dataset, 0, 0);
            if (!check.complete()) return layoutProblems(check.problems());
            try (ScoringModels none = ScoringModels.none(HIST_ONLY)) {
                var card = new Scorer(none, ScoringMode.OFFICIAL).score(check.scorable());
                return Response.ok(ScorecardExport.toJson(card), MediaType.APPLICATION_JSON).build();
            }
        } finally {
            deleteTree(work);
        }
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

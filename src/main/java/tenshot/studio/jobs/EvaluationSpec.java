package tenshot.studio.jobs;

import java.util.List;

/**
 * What an EVALUATE job scores: an uploaded submission's images of one style against the style set's
 * images, all by artifact key, so that any worker sharing the artifact store can do it.
 *
 * @param generated the upload's images, named {@code {Prompt}.png}
 */
public record EvaluationSpec(long evaluationId, String styleId, List<RunSpec.StyleImageRef> references,
        List<GeneratedImage> generated, String scoringMode) {

    /** One uploaded image: its file name (the prompt's) and where it is stored. */
    public record GeneratedImage(String file, String key) {}

    public ScoreArtifacts artifacts() {
        return ScoreArtifacts.ofEvaluation(evaluationId);
    }

    public static String imageKey(long evaluationId, String file) {
        return ScoreArtifacts.ofEvaluation(evaluationId).prefix() + "images/" + file;
    }
}

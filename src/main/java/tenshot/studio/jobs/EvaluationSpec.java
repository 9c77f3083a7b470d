package tenshot.studio.jobs;

import java.util.List;

/**
 * What an EVALUATE job scores: an uploaded submission's images of one or more styles, each against its
 * style set's images, all by artifact key, so that any worker sharing the artifact store can do it.
 */
public record EvaluationSpec(long evaluationId, List<Style> styles, String scoringMode) {

    /** One style: its references (the style set's images) and the upload's images, named {@code {Prompt}.png}. */
    public record Style(String styleId, List<RunSpec.StyleImageRef> references, List<GeneratedImage> generated) {}

    /** One uploaded image: its file name (the prompt's) and where it is stored. */
    public record GeneratedImage(String file, String key) {}

    public ScoreArtifacts artifacts() {
        return ScoreArtifacts.ofEvaluation(evaluationId);
    }

    public static String imageKey(long evaluationId, String styleId, String file) {
        return ScoreArtifacts.ofEvaluation(evaluationId).prefix() + "images/" + styleId + "/" + file;
    }
}

package tenshot.studio.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Everything a board run's jobs need, carried in each job's payload like {@link RunSpec}: several style
 * sets trained with one recipe on one base model. Each style's results live under
 * {@code runs/{id}/styles/{styleId}/}; the board's submission zip, config and scorecard sit where a
 * run's do.
 */
public record BoardSpec(long runId, String baseModel, String recipe, String scoringMode, List<Style> styles) {

    /** One style set of the board, in board order ({@code promptTemplate} as in {@link RunSpec}). */
    public record Style(long styleSetId, String styleId, List<RunSpec.StyleImageRef> images, List<String> prompts,
            String promptTemplate) {
        public Style {
            images = List.copyOf(images);
            prompts = List.copyOf(prompts);
        }
    }

    public BoardSpec {
        styles = List.copyOf(styles);
        if (styles.isEmpty()) throw new IllegalArgumentException("a board run needs at least one style set");
    }

    /** Whether a job payload is a board's (a run's payload has no {@code styles}). */
    public static boolean isBoard(JsonNode payload) {
        return payload != null && payload.has("styles");
    }

    public static String stylePrefix(long runId, String styleId) {
        return RunSpec.prefix(runId) + "styles/" + styleId + "/";
    }

    public String imageKey(Style style, String prompt) {
        return stylePrefix(runId, style.styleId()) + RunSpec.IMAGES + prompt + ".png";
    }

    /** Where a style's training checkpoints are mirrored ({@link StoredCheckpoints}). */
    public String checkpointPrefix(Style style) {
        return stylePrefix(runId, style.styleId()) + RunSpec.CHECKPOINTS;
    }

    public String loraKey(Style style) {
        return stylePrefix(runId, style.styleId()) + RunSpec.LORA;
    }

    public String gridKey(Style style) {
        return stylePrefix(runId, style.styleId()) + RunSpec.GRID;
    }

    public String zipKey() {
        return RunSpec.prefix(runId) + RunSpec.ZIP;
    }

    public String configKey() {
        return RunSpec.prefix(runId) + RunSpec.CONFIG;
    }

    public String scorecardKey() {
        return RunSpec.prefix(runId) + RunSpec.SCORECARD;
    }
}

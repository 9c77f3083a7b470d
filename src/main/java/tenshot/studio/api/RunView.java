package tenshot.studio.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A run as the API shows it. {@code status} and {@code phase} come from its jobs; {@code progress} is
 * the running job's latest report (phase, step/total, loss, s/step, ETA). {@code board} lists a board
 * run's styles (null for a run of one style set). {@code train} false: the run trained no adapter (no PRIOR or
 * TRAIN job, no LoRA download) and generated with the base model.
 */
public record RunView(long id, long styleSetId, String styleId, long teamId, String recipeName, JsonNode recipe, boolean train,
        String baseModel, String scoringMode, String status, String phase, JsonNode progress, String error, Long parentRunId,
        JsonNode changes, Instant createdAt, List<JobSummary> jobs, Downloads downloads, List<BoardStyle> board) {

    /**
     * The status in words, as the pages show it before (or without) the front end's live wording, which
     * adds progress, positions and times.
     */
    public String statusText() {
        return switch (status) {
            case "QUEUED" -> "waiting for a GPU";
            case "RUNNING" -> switch (phase == null ? "" : phase) {
                case "prior" -> "making class images";
                case "train" -> "training";
                case "generate" -> "generating";
                case "assemble" -> "assembling the results";
                case "score" -> "scoring";
                default -> "running";
            };
            case "SUCCEEDED" -> "done";
            case "FAILED" -> "failed: " + (error == null ? "no reason was recorded" : error);
            case "CANCELLED" -> "cancelled";
            default -> status.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** One job of the run. */
    public record JobSummary(long id, String kind, String state, List<Long> dependsOn, JsonNode progress, String error,
            String previewUrl) {

        /** "training 412/800" from the progress report, or null before the first report. */
        public String progressText() {
            if (progress == null || !progress.has("step")) return null;
            return progress.path("phase").asText(kind.toLowerCase()) + " " + progress.path("step").asText() + "/"
                    + progress.path("total").asText();
        }
    }

    /**
     * One style of a board run: its training so far (null before the board's TRAIN job reported it) and its
     * results (null or empty until the board produced them).
     */
    public record BoardStyle(long styleSetId, String styleId, Training training, String grid, String lora, List<Image> images) {}

    /**
     * A board style's latest training report: step of total, loss (null when none), and its latest preview
     * image's address with how many it made so far (null and 0 before the first).
     */
    public record Training(int step, int total, Double loss, String preview, int previews) {

        /** "step 12 of 30, loss 0.1234" for the pages without the front end. */
        public String text() {
            return "step " + step + " of " + total + (loss == null ? "" : String.format(java.util.Locale.ROOT, ", loss %.4f", loss));
        }
    }

    /** What can be downloaded once the run produced it (null until then). */
    public record Downloads(String grid, String zip, String lora, String config, String scorecard, List<Image> images) {}

    /** A generated image. */
    /** A generated image: its prompt, address and the seed it was generated from. */
    public record Image(String prompt, String url, long seed) {}
}

package tenshot.studio.jobs;

import java.util.List;
import tenshot.diffusion.train.PromptTemplate;

/**
 * Everything a run's jobs need, carried in each job's payload so that a worker on any host can do its
 * part with only the artifact store: the style images by key, the prompts, the recipe, the model.
 *
 * @param recipe the training recipe as JSON ({@code tenshot.diffusion.train.TrainingRecipe})
 * @param scoringMode how the SCORE job scores ({@code official} or {@code corrected}; null: official)
 * @param promptTemplate the style set's object phrase for generation ({@code "paper" painting of {object}}), or null
 * @param train whether the run trained an adapter to generate with; false: generation uses the base model
 *     (null, in payloads written before runs could skip training: true)
 */
public record RunSpec(long runId, long styleSetId, String styleId, String baseModel, String recipe,
        List<StyleImageRef> images, List<String> prompts, String scoringMode, String promptTemplate, Boolean train) {

    /** Whether generation uses the run's trained adapter. */
    public boolean trains() {
        return train == null || train;
    }

    /** The style set's object phrase, or null for none. */
    public PromptTemplate objectPhrase() {
        return objectPhrase(promptTemplate);
    }

    /** A stored style-set prompt template as an object phrase; null for none. */
    public static PromptTemplate objectPhrase(String promptTemplate) {
        return promptTemplate == null ? null : PromptTemplate.objectPhrase(promptTemplate);
    }

    /** One style image: what it shows and where it is stored. */
    public record StyleImageRef(String objectName, String key) {}

    public String prefix() {
        return prefix(runId);
    }

    public String imageKey(String prompt) {
        return prefix(runId) + IMAGES + prompt + ".png";
    }

    public String gridKey() {
        return prefix(runId) + GRID;
    }

    public String zipKey() {
        return prefix(runId) + ZIP;
    }

    public String configKey() {
        return prefix(runId) + CONFIG;
    }

    public String loraKey() {
        return prefix(runId) + LORA;
    }

    public String scorecardKey() {
        return prefix(runId) + SCORECARD;
    }

    /** Where the TRAIN job's resumable checkpoints live while it runs. */
    public String checkpointPrefix() {
        return prefix(runId) + CHECKPOINTS;
    }

    /** Where a run's results live in the artifact store, relative to {@link #prefix(long)}. */
    public static final String IMAGES = "images/";
    public static final String GRID = "grid.png";
    public static final String ZIP = "submission.zip";
    public static final String CONFIG = "config.json";
    public static final String LORA = "lora/pytorch_lora_weights.safetensors";
    public static final String SCORECARD = "scorecard.json";
    public static final String CHECKPOINTS = "checkpoints/";

    /** The seed of the noise the run's {@code promptIndex}-th image starts from (prompts in the style set's order). */
    public static long imageSeed(long recipeSeed, int promptIndex) {
        return recipeSeed + promptIndex;
    }

    public static String prefix(long runId) {
        return "runs/" + runId + "/";
    }
}

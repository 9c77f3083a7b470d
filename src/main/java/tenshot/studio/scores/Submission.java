package tenshot.studio.scores;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A team's submission of one or more scored runs to a leaderboard dataset. The scores are copied from
 * the runs' scorecards when submitted, so the row stays what it was even if a run is scored again. The
 * score columns hold the public score: the dataset's public prompts (all prompts when it has no hidden
 * ones). The hidden prompts' score is a {@link HiddenScore}, sealed until the dataset is revealed.
 */
@Entity
@Table(name = "leaderboard_submission")
public class Submission extends ScoreColumns {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long teamId;

    /** {@code A}, {@code B} or a custom dataset name. */
    public String dataset;

    /** The run ids, comma-separated, in the order given. */
    public String runIds;

    /** The scorecards' mode: {@code official} or {@code corrected}. */
    public String mode;

    /** Generated images in the public score; null for submissions made before splits existed. */
    public Integer publicImages;

    /** Generated images in the hidden score (0: the dataset had no hidden prompts). */
    public int hiddenImages;

    /** JSON array of {runId, recipeName, recipe} for each run. */
    @Column(columnDefinition = "text")
    public String recipes;

    public Instant createdAt = Instant.now();

    public List<Long> runIdList() {
        return Arrays.stream(runIds.split(",")).map(Long::valueOf).toList();
    }
}

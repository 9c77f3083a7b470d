package tenshot.studio.board;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import tenshot.scoring.Metric;

/**
 * A team's submission of one or more scored runs to a leaderboard dataset. The scores are copied from
 * the runs' scorecards when submitted, so the row stays what it was even if a run is scored again.
 */
@Entity
@Table(name = "leaderboard_submission")
public class Submission extends PanacheEntityBase {

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

    /** Null when a metric is missing; {@link #finalNote} says which. */
    public Double finalScore;

    @Column(columnDefinition = "text")
    public String finalNote;

    public Double dino;
    public Double hist;
    public Double lpips;
    @Column(name = "clip_r")
    public Double clipR;
    public Double fid;
    public Double clipIqa;

    /** JSON object: metric key → why it was not computed. */
    @Column(columnDefinition = "text")
    public String missing;

    /** JSON array of {runId, recipeName, recipe} for each run. */
    @Column(columnDefinition = "text")
    public String recipes;

    public Instant createdAt = Instant.now();

    public Double value(Metric metric) {
        return switch (metric) {
            case DINO -> dino;
            case HIST -> hist;
            case LPIPS -> lpips;
            case CLIP_R -> clipR;
            case FID -> fid;
            case CLIP_IQA -> clipIqa;
        };
    }

    public void value(Metric metric, Double v) {
        switch (metric) {
            case DINO -> dino = v;
            case HIST -> hist = v;
            case LPIPS -> lpips = v;
            case CLIP_R -> clipR = v;
            case FID -> fid = v;
            case CLIP_IQA -> clipIqa = v;
        }
    }

    public List<Long> runIdList() {
        return Arrays.stream(runIds.split(",")).map(Long::valueOf).toList();
    }
}

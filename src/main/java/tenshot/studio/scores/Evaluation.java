package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An uploaded submission being scored against a style set by an EVALUATE job; its status is the job's,
 * its images and scorecard are in the artifact store under {@code evaluations/{id}/}.
 */
@Entity
@Table(name = "evaluation")
public class Evaluation extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long teamId;

    /** {@code official} or {@code corrected} (tenshot.scoring.ScoringMode). */
    public String scoringMode = "official";
    public Long styleSetId;

    /** Every reference style set, in order, as "1,2,3" (the first is {@link #styleSetId}). */
    public String styleSetIds;

    /** The EVALUATE job; null only between storing the upload and enqueueing. */
    public Long jobId;

    /** How many generated images were uploaded and are scored. */
    public int images;

    public Instant createdAt = Instant.now();

    public java.util.List<Long> styleSetIdList() {
        return java.util.Arrays.stream(styleSetIds.split(",")).map(Long::parseLong).toList();
    }
}

package tenshot.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A style set trained and generated with one recipe on one base model. A re-run points at the run
 * it came from and records, in {@code changes}, which settings differ. Its status, phase and error
 * are its jobs' ({@code Runs.view}).
 */
@Entity
@Table(name = "run")
public class Run extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long teamId;

    /** The style set, or a board run's first (all of a board's are in {@code board_style_set}, in board order). */
    public Long styleSetId;

    /** A board run: several style sets trained together (one TRAIN and one GENERATE job for all). */
    public boolean board;

    /** The preset the recipe started from ({@code baseline}, {@code safe}, ...). */
    public String recipeName;

    /** The full recipe as JSON, after the user's edits. */
    @Column(columnDefinition = "text")
    public String recipe;

    public String baseModel;

    /** How its scorecard is computed: {@code official} or {@code corrected} (tenshot.scoring.ScoringMode). */
    public String scoringMode = "official";

    public Long parentRunId;

    /** For a re-run, a JSON object: setting → {"from": old, "to": new}. */
    @Column(columnDefinition = "text")
    public String changes;

    public Instant createdAt = Instant.now();

    public static String artifactPrefix(long id) {
        return "runs/" + id + "/";
    }
}

package tenshot.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
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

    /**
     * Whether the run trains an adapter. Without ({@code false}) it has no PRIOR or TRAIN job and generates with
     * the base model: with {@code generation.styleInjection}, training-free StyleID.
     */
    public boolean train = true;

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

    /**
     * Inserts a new run with plain SQL on {@code conn}, inside the caller's transaction (the one that
     * also queues the run's jobs, which Hibernate's session cannot join); sets {@code id} and
     * {@code createdAt}. The columns are this entity's, named as the physical naming strategy names them.
     */
    public Uni<Run> insert(SqlConnection conn) {
        return conn.preparedQuery("""
                        INSERT INTO run (team_id, style_set_id, board, recipe_name, recipe, base_model, scoring_mode, parent_run_id,
                                         changes, train)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        RETURNING id, created_at""")
                .execute(Tuple.tuple().addLong(teamId).addLong(styleSetId).addBoolean(board).addString(recipeName)
                        .addString(recipe).addString(baseModel).addString(scoringMode)
                        .addLong(parentRunId).addString(changes).addBoolean(train))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    id = row.getLong("id");
                    createdAt = row.getOffsetDateTime("created_at").toInstant();
                    return this;
                });
    }

    public static String artifactPrefix(long id) {
        return "runs/" + id + "/";
    }
}

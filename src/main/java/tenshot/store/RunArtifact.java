package tenshot.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** A file a run produced: a generated image, the grid, the LoRA, the submission zip, the config. */
@Entity
@Table(name = "run_artifact")
public class RunArtifact extends PanacheEntityBase {

    public enum Kind { IMAGE, GRID, LORA, ZIP, CONFIG, SCORECARD }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long runId;

    @Enumerated(EnumType.STRING)
    public Kind kind;

    /** The prompt for an image, else the download file name. */
    public String name;

    public String artifactKey;

    public long sizeBytes;

    public Instant createdAt = Instant.now();

    public static Uni<List<RunArtifact>> of(long runId) {
        return list("runId = ?1 order by kind, id", runId);
    }
}

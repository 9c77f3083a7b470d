package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A leaderboard dataset (A, B or a custom name) as far as its split goes: when its hidden prompts were
 * defined and whether an organiser revealed them. A dataset without a row has no hidden prompts.
 */
@Entity
@Table(name = "leaderboard_dataset")
public class LeaderboardDataset extends PanacheEntityBase {

    @Id
    public String name;

    public Instant splitDefinedAt;
    public String splitDefinedBy;

    /** Null while the hidden scores are sealed. */
    public Instant revealedAt;
    public String revealedBy;

    public Instant createdAt = Instant.now();

    public boolean revealed() {
        return revealedAt != null;
    }
}

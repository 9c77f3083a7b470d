package tenshot.studio.scores;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A submission's score on its dataset's hidden prompts, computed when it was submitted and sealed: not
 * shown and not ranked on until an organiser reveals the dataset ({@link LeaderboardDataset#revealedAt}).
 */
@Entity
@Table(name = "leaderboard_hidden_score")
public class HiddenScore extends ScoreColumns {

    @Id
    public Long submissionId;
}

package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One hidden prompt of one style of a leaderboard dataset; every prompt not listed is public. */
@Entity
@Table(name = "leaderboard_hidden_prompt")
public class HiddenPrompt extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String dataset;
    public String style;
    public String prompt;
}

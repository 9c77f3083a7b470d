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
 * A style: a few images that share a look, and the prompts to generate in that look. {@code styleId}
 * is the folder name of the challenge's submission layout ({@code "00"}).
 */
@Entity
@Table(name = "style_set")
public class StyleSet extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long teamId;

    public String name;

    public String styleId;

    /** The prompts as a JSON array of strings, in order. */
    @Column(columnDefinition = "text")
    public String prompts;

    /** What {@code {object}} of a run's generation prompt becomes, e.g. {@code "paper" painting of {object}}; null: the object. */
    @Column(columnDefinition = "text")
    public String promptTemplate;

    public Instant createdAt = Instant.now();

}

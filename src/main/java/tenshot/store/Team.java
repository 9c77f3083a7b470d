package tenshot.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A group that owns style sets and runs; accounts belong to a team (see {@code tenshot.studio.access}). */
@Entity
@Table(name = "team")
public class Team extends PanacheEntityBase {

    public static final String DEFAULT_NAME = "default";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    public Instant createdAt = Instant.now();

    public static Uni<Team> findByName(String name) {
        return find("name", name).firstResult();
    }

    /** The team with this name, created if it does not exist yet. Call inside a transaction. */
    public static Uni<Team> named(String name) {
        return Team.<Team>find("name", name).firstResult().chain(found -> {
            if (found != null) return Uni.createFrom().item(found);
            Team team = new Team();
            team.name = name;
            return team.persist();
        });
    }
}

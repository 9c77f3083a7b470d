package tenshot.studio.access;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.List;
import tenshot.store.Run;
import tenshot.store.StyleSet;
import tenshot.studio.api.ApiException;

/**
 * The current caller's team's runs and style sets. Every lookup by id goes through here: another
 * team's id answers 404 exactly as an id that does not exist, so ids reveal nothing.
 */
@RequestScoped
public class TeamScope {

    @Inject
    Caller caller;

    public Uni<Run> run(long id) {
        return Run.<Run>findById(id).map(run -> caller.owned(run, run == null ? null : run.teamId, "run", id));
    }

    public Uni<StyleSet> styleSet(long id) {
        return StyleSet.<StyleSet>findById(id).map(set -> caller.owned(set, set == null ? null : set.teamId, "style set", id));
    }

    /** {@link #run} from a blocking endpoint. */
    public Run runNow(long id) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> run(id)));
    }

    /** {@link #styleSet} from a blocking endpoint. */
    public StyleSet styleSetNow(long id) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> styleSet(id)));
    }

    /** The team's runs, newest first; {@code styleSetId} null for all. */
    public Uni<List<Run>> runs(Long styleSetId) {
        if (caller.teamId() == null) return Uni.createFrom().item(List.of());
        return styleSetId == null ? Run.list("teamId = ?1 order by id desc", caller.teamId())
                : Run.list("teamId = ?1 and styleSetId = ?2 order by id desc", caller.teamId(), styleSetId);
    }

    public Uni<List<StyleSet>> styleSets() {
        if (caller.teamId() == null) return Uni.createFrom().item(List.of());
        return StyleSet.list("teamId = ?1 order by id desc", caller.teamId());
    }

    /** The team new style sets and runs go to; an account without one cannot make them. */
    public String teamForNewWork() {
        if (caller.teamName() == null) {
            throw new ApiException(403, "Forbidden", caller.username() + " belongs to no team: style sets, runs and"
                    + " submissions belong to teams; sign in as a team member", "team");
        }
        return caller.teamName();
    }
}

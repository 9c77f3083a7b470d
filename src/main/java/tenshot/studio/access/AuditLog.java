package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;

/**
 * The audit log of security-relevant actions: sign-ins (and refused ones), token use, cancels,
 * reveals, quota changes, invitations. Written with the acting caller, its team and address.
 */
@ApplicationScoped
public class AuditLog {

    @Inject
    Pool pool;

    /** Records an action by the current caller; {@code target} names what it acted on (e.g. "run 12"). */
    public Uni<Void> record(Caller caller, String action, String target, String detail) {
        Caller.Identity who = caller.identity();
        return record(who == null ? null : who.accountId(), who == null ? null : who.username(),
                who == null ? null : who.teamId(), action, target, detail, caller.remoteAddress());
    }

    /** Records an action by a named actor (or nobody, for refused sign-ins of unknown names). */
    public Uni<Void> record(Long actorId, String actor, Long teamId, String action, String target, String detail,
                            String address) {
        return pool.preparedQuery("INSERT INTO audit_event (actor_id, actor, team_id, action, target, detail, address)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.tuple(Arrays.asList(actorId, actor, teamId, action, target, detail, address)))
                .replaceWithVoid();
    }
}

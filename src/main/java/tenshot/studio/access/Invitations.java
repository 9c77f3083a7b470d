package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.util.Arrays;
import tenshot.studio.api.ApiException;

/**
 * Invitations to sign up: an organiser invites a member of a team (existing or new) or another
 * organiser. The code ({@code tsi_…}) is shown once, stored as its hash, and works once until it expires.
 */
@ApplicationScoped
public class Invitations {

    /** A new invitation: {@code code} is shown this once. */
    public record Created(long id, AccountRole role, String team, OffsetDateTime expiresAt, String code) {}

    /** What an unused invitation grants. */
    public record Grant(long id, AccountRole role, String team) {}

    @Inject
    Pool pool;

    @Inject
    AccessConfig config;

    public Uni<Created> create(AccountRole role, String team, Long createdBy) {
        if (role == AccountRole.MEMBER && team == null) throw ApiException.badField("team", "a member's invitation names their team");
        String code = Secrets.create(Secrets.INVITATION);
        return pool.preparedQuery("INSERT INTO invitation (code_hash, role, team_name, created_by, expires_at)"
                        + " VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id, expires_at")
                .execute(Tuple.tuple(Arrays.asList(Secrets.hash(code), role.dbName(), team, createdBy,
                        (double) config.invitationLifetime().toSeconds())))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Created(r.getLong(0), role, team, r.getOffsetDateTime(1), code);
                });
    }

    /** Uses up an invitation inside the sign-up's transaction: unknown, used and expired codes are refused alike. */
    Uni<Grant> redeem(SqlClient tx, String code) {
        if (code == null || !code.strip().startsWith(Secrets.INVITATION)) {
            return Uni.createFrom().failure(ApiException.badField("invitation", "an invitation code (tsi_…) from an organiser"));
        }
        return tx.preparedQuery("UPDATE invitation SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()"
                        + " RETURNING id, role, team_name")
                .execute(Tuple.of(Secrets.hash(code.strip())))
                .map(rows -> {
                    if (rows.size() == 0) throw ApiException.badField("invitation", "this code is unknown, used or expired; ask an organiser for a new one");
                    Row r = rows.iterator().next();
                    return new Grant(r.getLong(0), AccountRole.fromDb(r.getString(1)), r.getString(2));
                });
    }

    Uni<Void> usedBy(SqlClient tx, long invitationId, long accountId) {
        return tx.preparedQuery("UPDATE invitation SET used_by = $2 WHERE id = $1").execute(Tuple.of(invitationId, accountId)).replaceWithVoid();
    }
}

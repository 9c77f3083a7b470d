package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Browser sessions: a random cookie value ({@code tss_…}) stored as its hash, with the session's CSRF
 * token. Every sign-in starts a new session, so a cookie planted before sign-in never becomes valid
 * (no session fixation).
 */
@ApplicationScoped
public class Sessions {

    /** A session just started: the cookie value is only ever known here and in the browser. */
    public record Started(long id, String cookieValue, String csrfToken) {}

    /** The account behind a session cookie, with the session's CSRF token. */
    public record Found(Caller.Identity identity, String csrfToken) {}

    @Inject
    Pool pool;

    @Inject
    AccessConfig config;

    public Uni<Started> start(long accountId) {
        String cookie = Secrets.create(Secrets.SESSION);
        String csrf = Secrets.create("");
        return pool.preparedQuery("INSERT INTO account_session (token_hash, account_id, csrf_token, expires_at)"
                        + " VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id")
                .execute(Tuple.of(Secrets.hash(cookie), accountId, csrf, (double) config.sessionLifetime().toSeconds()))
                .map(rows -> new Started(rows.iterator().next().getLong(0), cookie, csrf));
    }

    /** The live session with this cookie value, or null. */
    public Uni<Found> find(String cookieValue) {
        if (cookieValue == null || !cookieValue.startsWith(Secrets.SESSION)) return Uni.createFrom().nullItem();
        return pool.preparedQuery("SELECT a.id, a.username, a.role, a.team_id, t.name, s.id, s.csrf_token"
                        + " FROM account_session s JOIN account a ON a.id = s.account_id LEFT JOIN team t ON t.id = a.team_id"
                        + " WHERE s.token_hash = $1 AND s.expires_at > now()")
                .execute(Tuple.of(Secrets.hash(cookieValue)))
                .map(rows -> rows.size() == 0 ? null : read(rows.iterator().next()));
    }

    public Uni<Void> end(long sessionId) {
        return pool.preparedQuery("DELETE FROM account_session WHERE id = $1").execute(Tuple.of(sessionId)).replaceWithVoid();
    }

    /** Ends every session of the account (log out everywhere); returns how many there were. */
    public Uni<Integer> endAll(long accountId) {
        return pool.preparedQuery("DELETE FROM account_session WHERE account_id = $1").execute(Tuple.of(accountId))
                .map(rows -> rows.rowCount());
    }

    private static Found read(Row row) {
        Caller.Identity identity = new Caller.Identity(row.getLong(0), row.getString(1), AccountRole.fromDb(row.getString(2)),
                row.getLong(3), row.getString(4), row.getLong(5), null);
        return new Found(identity, row.getString(6));
    }
}

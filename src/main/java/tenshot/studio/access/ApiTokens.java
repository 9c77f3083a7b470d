package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import tenshot.studio.api.ApiException;

/**
 * API tokens for scripts ({@code Authorization: Bearer tsk_…}): stored as hashes, shown once when made,
 * revocable. A token acts as its account. Its use is audited once an hour per token, not per request.
 */
@ApplicationScoped
public class ApiTokens {

    static final int MAX_PER_ACCOUNT = 20;

    /** A token as its owner sees it later: never the secret, only its first characters. */
    public record TokenView(long id, String name, String prefix, OffsetDateTime createdAt, OffsetDateTime lastUsedAt,
                            OffsetDateTime revokedAt) {}

    /** A token just made: {@code token} is shown this once. */
    public record Created(long id, String name, String prefix, String token) {}

    @Inject
    Pool pool;

    @Inject
    AuditLog audit;

    public Uni<Created> create(Caller caller, String name) {
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > 60) throw ApiException.badField("name", "1 to 60 characters, to tell your tokens apart");
        String token = Secrets.create(Secrets.API_TOKEN);
        String prefix = token.substring(0, Secrets.API_TOKEN.length() + 6);
        long account = caller.accountId();
        return pool.preparedQuery("INSERT INTO api_token (account_id, name, prefix, token_hash)"
                        + " SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM api_token WHERE account_id = $1 AND revoked_at IS NULL) < $5"
                        + " RETURNING id")
                .execute(Tuple.of(account, label, prefix, Secrets.hash(token), MAX_PER_ACCOUNT))
                .map(rows -> {
                    if (rows.size() == 0) throw ApiException.conflict("tokens", "at most " + MAX_PER_ACCOUNT + " live tokens per account; revoke one first");
                    return new Created(rows.iterator().next().getLong(0), label, prefix, token);
                })
                .call(created -> audit.record(caller, "token.create", "token " + created.id(), label));
    }

    public Uni<List<TokenView>> list(long accountId) {
        return pool.preparedQuery("SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_token"
                        + " WHERE account_id = $1 ORDER BY id DESC").execute(Tuple.of(accountId))
                .map(rows -> {
                    List<TokenView> out = new ArrayList<>();
                    for (Row r : rows) out.add(new TokenView(r.getLong(0), r.getString(1), r.getString(2),
                            r.getOffsetDateTime(3), r.getOffsetDateTime(4), r.getOffsetDateTime(5)));
                    return out;
                });
    }

    /** Revokes one of the caller's own tokens; another account's token id answers 404. */
    public Uni<Void> revoke(Caller caller, long id) {
        return pool.preparedQuery("UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND account_id = $2")
                .execute(Tuple.of(id, caller.accountId()))
                .chain(rows -> {
                    if (rows.rowCount() == 0) throw ApiException.notFound("token", id);
                    return audit.record(caller, "token.revoke", "token " + id, null);
                });
    }

    /** The account a live token acts as, or null; notes the use (audited at most hourly). */
    public Uni<Caller.Identity> find(String token, String address) {
        if (token == null || !token.startsWith(Secrets.API_TOKEN)) return Uni.createFrom().nullItem();
        return pool.preparedQuery("WITH used AS (UPDATE api_token k SET last_used_at = now()"
                        + " WHERE k.token_hash = $1 AND k.revoked_at IS NULL"
                        + " RETURNING k.id, k.account_id, k.name, (SELECT last_used_at FROM api_token WHERE id = k.id) AS before)"
                        + " SELECT a.id, a.username, a.role, a.team_id, t.name, used.id, used.name,"
                        + " (used.before IS NULL OR used.before < now() - interval '1 hour')"
                        + " FROM used JOIN account a ON a.id = used.account_id LEFT JOIN team t ON t.id = a.team_id")
                .execute(Tuple.of(Secrets.hash(token)))
                .chain(rows -> {
                    if (rows.size() == 0) return Uni.createFrom().nullItem();
                    Row r = rows.iterator().next();
                    Caller.Identity who = new Caller.Identity(r.getLong(0), r.getString(1), AccountRole.fromDb(r.getString(2)),
                            r.getLong(3), r.getString(4), null, r.getLong(5));
                    if (!r.getBoolean(7)) return Uni.createFrom().item(who);
                    return audit.record(who.accountId(), who.username(), who.teamId(), "token.use",
                            "token " + who.tokenId(), r.getString(6), address).replaceWith(who);
                });
    }
}

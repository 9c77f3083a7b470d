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
import java.util.regex.Pattern;
import tenshot.studio.api.ApiException;

/** Accounts: user names, password hashes, role and team, and the failed-sign-in counter behind the lockout. */
@ApplicationScoped
public class Accounts {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,39}");
    private static final Pattern TEAM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}");

    /** An account as sign-in reads it. */
    public record Account(long id, String username, String passwordHash, AccountRole role, Long teamId,
                          String teamName, int failedLogins, OffsetDateTime lockedUntil) {}

    @Inject
    Pool pool;

    public static String checkUsername(String username) {
        String name = username == null ? "" : username.strip().toLowerCase(java.util.Locale.ROOT);
        if (!USERNAME.matcher(name).matches()) {
            throw ApiException.badField("username", "3 to 40 characters: letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static String checkTeamName(String team) {
        String name = team == null ? "" : team.strip();
        if (!TEAM_NAME.matcher(name).matches()) {
            throw ApiException.badField("team", "1 to 60 characters: letters, digits, spaces, '.', '_' or '-'");
        }
        return name;
    }

    public Uni<Account> byUsername(String username) {
        return pool.preparedQuery(SELECT + " WHERE a.username = $1").execute(Tuple.of(username))
                .map(rows -> rows.size() == 0 ? null : read(rows.iterator().next()));
    }

    public Uni<Account> byId(long id) {
        return pool.preparedQuery(SELECT + " WHERE a.id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : read(rows.iterator().next()));
    }

    public Uni<Boolean> any() {
        return pool.query("SELECT EXISTS (SELECT 1 FROM account)").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Creates an account inside the caller's transaction; the team is created when {@code newTeam}, else
     * it must exist. The password is checked and hashed first, outside any transaction (bcrypt is slow).
     */
    public Uni<Long> create(SqlClient tx, String username, String passwordHash, AccountRole role, String teamName, boolean newTeam) {
        Uni<Long> team;
        if (teamName == null) {
            team = Uni.createFrom().nullItem();
        } else if (newTeam) {
            team = tx.preparedQuery("INSERT INTO team (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id")
                    .execute(Tuple.of(teamName)).map(rows -> {
                        if (rows.size() == 0) throw ApiException.conflict("team", "a team named '" + teamName + "' exists already");
                        return rows.iterator().next().getLong(0);
                    });
        } else {
            team = tx.preparedQuery("INSERT INTO team (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id")
                    .execute(Tuple.of(teamName)).map(rows -> rows.iterator().next().getLong(0));
        }
        return team.chain(teamId -> tx.preparedQuery("INSERT INTO account (username, password_hash, role, team_id)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING id")
                .execute(Tuple.tuple(Arrays.asList(username, passwordHash, role.dbName(), teamId)))
                .map(rows -> {
                    if (rows.size() == 0) throw ApiException.conflict("username", "the user name '" + username + "' is taken");
                    return rows.iterator().next().getLong(0);
                }));
    }

    /** A wrong password: counts it, and locks the account for a while after too many in a row. */
    Uni<Void> failed(Account account, int attempts, java.time.Duration lockFor) {
        return pool.preparedQuery("UPDATE account SET failed_logins = failed_logins + 1,"
                        + " locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END"
                        + " WHERE id = $1")
                .execute(Tuple.of(account.id(), attempts, (double) lockFor.toSeconds())).replaceWithVoid();
    }

    Uni<Void> succeeded(Account account) {
        return pool.preparedQuery("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .execute(Tuple.of(account.id())).replaceWithVoid();
    }

    private static final String SELECT = "SELECT a.id, a.username, a.password_hash, a.role, a.team_id, t.name,"
            + " a.failed_logins, a.locked_until FROM account a LEFT JOIN team t ON t.id = a.team_id";

    private static Account read(Row row) {
        return new Account(row.getLong(0), row.getString(1), row.getString(2), AccountRole.fromDb(row.getString(3)),
                row.getLong(4), row.getString(5), row.getInteger(6), row.getOffsetDateTime(7));
    }
}

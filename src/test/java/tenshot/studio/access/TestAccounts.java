package tenshot.studio.access;

import static io.restassured.RestAssured.given;

import io.quarkus.arc.Arc;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import java.util.Locale;

/**
 * Accounts for tests, made straight in the database when missing, and signed in through the real
 * {@code POST /api/session}. {@link #operator()} is the account most tests act as: an organiser who is
 * also in team "default", like the first account of a fresh server.
 */
public final class TestAccounts {

    public static final String PASSWORD = "correct horse battery staple";

    private TestAccounts() {}

    /** A signed-in session: its cookie and CSRF token. */
    public record Session(String username, String cookie, String csrfToken) {

        /** A spec with the cookie and the CSRF header only. */
        public RequestSpecification spec() {
            return fresh().addCookie(SessionCookies.SESSION, cookie).addHeader(AccessFilter.CSRF_HEADER, csrfToken).build();
        }

        /** Runs {@code requests} as this account, then goes back to whoever the test acted as before. */
        public <T> T call(java.util.function.Supplier<T> requests) {
            RequestSpecification before = RestAssured.requestSpecification;
            RestAssured.requestSpecification = spec();
            try {
                return requests.get();
            } finally {
                RestAssured.requestSpecification = before;
            }
        }

        /** Makes every later {@code given()} of this test act as this account. */
        public Session forAllRequests() {
            RestAssured.requestSpecification = spec();
            return this;
        }
    }

    /** Organiser of team "default". */
    public static Session operator() {
        return signIn("operator", AccountRole.ORGANISER, "default");
    }

    /** An organiser without a team. */
    public static Session organiser() {
        return signIn("organiser", AccountRole.ORGANISER, null);
    }

    /** A member of the team (account "member-<team>"). */
    public static Session member(String team) {
        return signIn("member-" + team.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"), AccountRole.MEMBER, team);
    }

    /**
     * A builder that starts empty: RequestSpecBuilder otherwise starts from the global spec, and two
     * session cookies would go out.
     */
    public static RequestSpecBuilder fresh() {
        RequestSpecification global = RestAssured.requestSpecification;
        RestAssured.requestSpecification = null;
        try {
            return new RequestSpecBuilder();
        } finally {
            RestAssured.requestSpecification = global;
        }
    }

    /** Later requests go out as a visitor (no cookie). */
    public static void signOut() {
        RestAssured.requestSpecification = null;
    }

    public static Session signIn(String username, AccountRole role, String team) {
        ensure(username, role, team);
        RequestSpecification global = RestAssured.requestSpecification;
        RestAssured.requestSpecification = null;
        try {
            Response answer = given().contentType(ContentType.JSON)
                    .body("{\"username\": \"" + username + "\", \"password\": \"" + PASSWORD + "\"}")
                    .when().post("/api/session");
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("sign-in of " + username + " answered " + answer.statusCode() + ": " + answer.asString());
            }
            return new Session(username, answer.getCookie(SessionCookies.SESSION), answer.path("csrfToken"));
        } finally {
            RestAssured.requestSpecification = global;
        }
    }

    /** Makes the account if it does not exist (its team too), unlocked and with {@link #PASSWORD}. */
    public static void ensure(String username, AccountRole role, String team) {
        Pool pool = Arc.container().instance(Pool.class).get();
        Accounts accounts = Arc.container().instance(Accounts.class).get();
        pool.withTransaction(tx -> accounts.byUsername(username).chain(found -> {
            if (found != null) {
                return tx.preparedQuery("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of(found.id())).replaceWith(found.id());
            }
            return accounts.create(tx, username, PasswordHasher.hash(PASSWORD, 4), role, team, false);
        })).await().indefinitely();
    }
}

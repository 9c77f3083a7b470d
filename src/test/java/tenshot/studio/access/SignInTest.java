package tenshot.studio.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sign-in, sessions, CSRF, lockout, API tokens and invitations, over real HTTP against the real database. */
@QuarkusTest
class SignInTest {

    @Inject
    Pool pool;

    @AfterEach
    void visitor() {
        TestAccounts.signOut();
    }

    private static Response signIn(String username, String password) {
        return given().contentType(ContentType.JSON)
                .body("{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}").when().post("/api/session");
    }

    private long count(String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.tuple(java.util.Arrays.asList(params))).await().indefinitely()
                .iterator().next().getLong(0);
    }

    @Test
    void signInSetsAHardenedSessionCookieAndEverySignInGetsANewSession() {
        TestAccounts.ensure("cookie-check", AccountRole.MEMBER, "cookies");
        // a value planted before sign-in (session fixation) is neither kept nor ever valid
        Response first = given().cookie(SessionCookies.SESSION, "tss_planted-by-an-attacker").contentType(ContentType.JSON)
                .body("{\"username\": \"cookie-check\", \"password\": \"" + TestAccounts.PASSWORD + "\"}").when().post("/api/session");
        first.then().statusCode(200).body("username", equalTo("cookie-check")).body("team", equalTo("cookies"))
                .body("role", equalTo("member"));
        String setCookie = first.header("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Lax"), setCookie);
        assertTrue(setCookie.contains("Path=/"), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain HTTP: no Secure flag, or the browser would drop it: " + setCookie);
        String cookie = first.getCookie(SessionCookies.SESSION);
        assertNotEquals("tss_planted-by-an-attacker", cookie);
        given().cookie(SessionCookies.SESSION, "tss_planted-by-an-attacker").get("/api/me").then().statusCode(401);
        given().cookie(SessionCookies.SESSION, cookie).get("/api/me").then().statusCode(200).body("username", equalTo("cookie-check"));

        String second = signIn("cookie-check", TestAccounts.PASSWORD).then().statusCode(200).extract().cookie(SessionCookies.SESSION);
        assertNotEquals(cookie, second);
        assertEquals(0, count("SELECT count(*) FROM account_session WHERE token_hash = $1", cookie), "cookies are stored hashed");
    }

    @Test
    void wrongPasswordsAndUnknownNamesGetTheSameAnswerAndLockTheAccountAfterFive() {
        TestAccounts.ensure("lock-me", AccountRole.MEMBER, "locks");
        String unknown = signIn("nobody-here", "whatever-password").then().statusCode(401).extract().path("detail");
        for (int i = 1; i <= 4; i++) {
            String wrong = signIn("lock-me", "not-the-password").then().statusCode(401).extract().path("detail");
            assertEquals(unknown, wrong, "a wrong password must not tell that the name exists");
        }
        // the fifth wrong one locks; then even the right password is refused, saying until when
        signIn("lock-me", "not-the-password").then().statusCode(401);
        signIn("lock-me", TestAccounts.PASSWORD).then().statusCode(401)
                .body("detail", containsString("locked after 5 wrong passwords until"));
        assertEquals(6, count("SELECT count(*) FROM audit_event WHERE action = 'sign-in.refused' AND actor = 'lock-me'"));
        assertEquals(1, count("SELECT count(*) FROM audit_event WHERE action = 'sign-in.refused' AND actor = 'nobody-here'"));

        // once the lock runs out, the right password works and the counter starts again
        pool.preparedQuery("UPDATE account SET locked_until = now() - interval '1 second' WHERE username = 'lock-me'")
                .execute().await().indefinitely();
        signIn("lock-me", TestAccounts.PASSWORD).then().statusCode(200);
        assertEquals(0, count("SELECT failed_logins FROM account WHERE username = 'lock-me'"));
        assertEquals(1, count("SELECT count(*) FROM audit_event WHERE action = 'sign-in' AND actor = 'lock-me'"));
    }

    @Test
    void stateChangingRequestsWithTheSessionCookieNeedTheCsrfToken() {
        TestAccounts.Session s = TestAccounts.member("csrf-team");
        String body = "{\"name\": \"csrf\"}";
        given().cookie(SessionCookies.SESSION, s.cookie()).contentType(ContentType.JSON).body(body).post("/api/tokens")
                .then().statusCode(403).body("subject", equalTo("csrf"));
        given().cookie(SessionCookies.SESSION, s.cookie()).header(AccessFilter.CSRF_HEADER, "guessed").contentType(ContentType.JSON)
                .body(body).post("/api/tokens").then().statusCode(403).body("subject", equalTo("csrf"));
        given().spec(s.spec()).contentType(ContentType.JSON).body(body).post("/api/tokens").then().statusCode(201);

        // plain HTML forms carry it as the _csrf field
        given().cookie(SessionCookies.SESSION, s.cookie()).redirects().follow(false).formParam("name", "form")
                .post("/account/tokens").then().statusCode(403);
        given().cookie(SessionCookies.SESSION, s.cookie()).formParam("name", "form").formParam("_csrf", s.csrfToken())
                .post("/account/tokens").then().statusCode(200).body(containsString("This is the only time it is shown"));
        // and the pages put it in every form
        given().cookie(SessionCookies.SESSION, s.cookie()).get("/account").then().statusCode(200)
                .body(containsString("name=\"_csrf\" value=\"" + s.csrfToken() + "\""))
                .body(containsString("<meta name=\"csrf-token\" content=\"" + s.csrfToken() + "\">"));
        // a session of another account has another token
        TestAccounts.Session other = TestAccounts.member("csrf-other");
        given().cookie(SessionCookies.SESSION, s.cookie()).header(AccessFilter.CSRF_HEADER, other.csrfToken())
                .contentType(ContentType.JSON).body(body).post("/api/tokens").then().statusCode(403);
    }

    @Test
    void theSignInFormNeedsTheVisitorsCsrfCookieAndRedirectsOnlyWithinTheStudio() {
        TestAccounts.ensure("form-user", AccountRole.MEMBER, "forms");
        Response page = given().get("/login?next=/runs");
        page.then().statusCode(200).body(containsString("name=\"next\" value=\"/runs\""));
        String visitor = page.getCookie(SessionCookies.VISITOR_CSRF);
        assertNotNull(visitor, "the sign-in page sets the visitor's CSRF cookie");
        assertTrue(page.asString().contains("name=\"_csrf\" value=\"" + visitor + "\""));

        given().redirects().follow(false).formParam("username", "form-user").formParam("password", TestAccounts.PASSWORD)
                .post("/login").then().statusCode(403).body("subject", equalTo("csrf"));
        given().redirects().follow(false).cookie(SessionCookies.VISITOR_CSRF, visitor).formParam("_csrf", "other")
                .formParam("username", "form-user").formParam("password", TestAccounts.PASSWORD).post("/login").then().statusCode(403);
        given().redirects().follow(false).cookie(SessionCookies.VISITOR_CSRF, visitor).formParam("_csrf", visitor)
                .formParam("username", "form-user").formParam("password", "wrong-password").formParam("next", "/runs")
                .post("/login").then().statusCode(401).body(containsString("wrong user name or password"))
                .body(containsString("value=\"form-user\""));
        Response in = given().redirects().follow(false).cookie(SessionCookies.VISITOR_CSRF, visitor).formParam("_csrf", visitor)
                .formParam("username", "form-user").formParam("password", TestAccounts.PASSWORD).formParam("next", "//evil.example/")
                .post("/login");
        in.then().statusCode(303).header("Location", containsString("/style-sets")).header("Location", not(containsString("evil")));
        assertNotNull(in.getCookie(SessionCookies.SESSION));

        // pages ask visitors to sign in and come back; the API answers 401
        given().redirects().follow(false).accept("text/html").get("/runs?x=1").then().statusCode(303)
                .header("Location", containsString("/login?next=%2Fruns%3Fx%3D1"));
        given().get("/api/runs").then().statusCode(401).contentType("application/problem+json").body("subject", equalTo("sign-in"));
    }

    @Test
    void signOutEndsTheSessionAndSignOutEverywhereEndsThemAll() {
        TestAccounts.Session a = TestAccounts.member("leavers");
        TestAccounts.Session b = TestAccounts.member("leavers");
        TestAccounts.Session c = TestAccounts.member("leavers");
        given().spec(a.spec()).delete("/api/session").then().statusCode(204).header("Set-Cookie", containsString("Max-Age=0"));
        given().spec(a.spec()).get("/api/me").then().statusCode(401);
        given().spec(b.spec()).get("/api/me").then().statusCode(200);
        given().spec(b.spec()).delete("/api/sessions").then().statusCode(200).body("endedSessions", equalTo(2));
        given().spec(b.spec()).get("/api/me").then().statusCode(401);
        given().spec(c.spec()).get("/api/me").then().statusCode(401);
        assertEquals(1, count("SELECT count(*) FROM audit_event WHERE action = 'sign-out.everywhere' AND actor = 'member-leavers'"));
    }

    @Test
    void apiTokensAreShownOnceStoredHashedUsableAndRevocable() {
        TestAccounts.Session s = TestAccounts.member("scripts");
        Response made = given().spec(s.spec()).contentType(ContentType.JSON).body("{\"name\": \"laptop\"}").post("/api/tokens");
        made.then().statusCode(201).body("name", equalTo("laptop"));
        String token = made.path("token");
        int id = made.path("id");
        assertTrue(token.startsWith("tsk_"), token);
        given().spec(s.spec()).get("/api/tokens").then().statusCode(200).body("id", hasItem(id))
                .body(not(containsString(token)));
        assertEquals(0, count("SELECT count(*) FROM api_token WHERE token_hash = $1 OR prefix = $1", token));

        // a script: no cookie, no CSRF token
        given().auth().oauth2(token).get("/api/me").then().statusCode(200).body("username", equalTo("member-scripts"))
                .body("csrfToken", nullValue());
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"name\": \"from a script\"}").post("/api/tokens")
                .then().statusCode(201);
        given().auth().oauth2(token).get("/api/runs").then().statusCode(200);
        assertEquals(1, count("SELECT count(*) FROM audit_event WHERE action = 'token.use' AND target = $1", "token " + id),
                "token use is audited once an hour, not per request");

        given().spec(TestAccounts.member("not-scripts").spec()).delete("/api/tokens/" + id).then().statusCode(404);
        given().spec(s.spec()).delete("/api/tokens/" + id).then().statusCode(204);
        given().auth().oauth2(token).get("/api/me").then().statusCode(401).body("detail", containsString("unknown or revoked"));
        given().auth().oauth2("tsk_made-up").get("/leaderboard").then().statusCode(401);
    }

    @Test
    void invitationsSignUpOnceIntoTheirTeamAndOnlyOrganisersInvite() {
        TestAccounts.Session member = TestAccounts.member("inviters");
        given().spec(member.spec()).contentType(ContentType.JSON).body("{\"role\": \"member\", \"team\": \"newcomers\"}")
                .post("/api/invitations").then().statusCode(403).body("subject", equalTo("role"));
        Response invitation = given().spec(TestAccounts.organiser().spec()).contentType(ContentType.JSON)
                .body("{\"role\": \"member\", \"team\": \"newcomers\"}").post("/api/invitations");
        invitation.then().statusCode(201).body("signupUrl", containsString("/signup?code=tsi_"));
        String code = invitation.path("code");

        given().contentType(ContentType.JSON).body("{\"username\": \"no-code\", \"password\": \"long enough password\"}")
                .post("/api/signup").then().statusCode(400).body("subject", equalTo("invitation"));
        given().contentType(ContentType.JSON).body("{\"invitation\": \"" + code + "\", \"username\": \"newbie\", \"password\": \"short\"}")
                .post("/api/signup").then().statusCode(400).body("subject", equalTo("password"));
        given().contentType(ContentType.JSON).body("{\"invitation\": \"" + code + "\", \"username\": \"newbie\", \"password\": \"long enough password\"}")
                .post("/api/signup").then().statusCode(201).body("team", equalTo("newcomers")).body("role", equalTo("member"));
        given().contentType(ContentType.JSON).body("{\"invitation\": \"" + code + "\", \"username\": \"second\", \"password\": \"long enough password\"}")
                .post("/api/signup").then().statusCode(400).body("detail", containsString("unknown, used or expired"));
        signIn("newbie", "long enough password").then().statusCode(200).body("team", equalTo("newcomers"));
        assertEquals(0, count("SELECT count(*) FROM account WHERE username = 'second'"));
        assertTrue(count("SELECT count(*) FROM audit_event WHERE action = 'invitation.create'") >= 1);
    }
}

package tenshot.studio.limits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** The upload and sign-in rate limits over HTTP, with limits small enough to reach. */
@QuarkusTest
@TestProfile(RateLimitApiTest.SmallLimits.class)
@ExtendWith(SignedInAsOperator.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitApiTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.limits.rate.upload.requests", "4", "tenshot.limits.rate.upload.period", "1h",
                    "tenshot.limits.rate.sign-in.requests", "3", "tenshot.limits.rate.sign-in.period", "1h");
        }
    }

    @Inject
    RateLimits limits;

    @Test
    @Order(1)
    void uploadsPastTheLimitAnswer429WithRetryAfterAndTheLimitsName() {
        // Every upload endpoint draws on the same bucket; refused uploads count too (4 per hour here).
        given().multiPart("name", "x").when().post("/api/style-sets").then().statusCode(400);
        given().multiPart("namePrefix", "x").when().post("/api/style-sets/import").then().statusCode(400);
        given().multiPart("styleSet", "1").when().post("/api/evaluations").then().statusCode(400);
        given().multiPart("name", "x").when().post("/style-sets").then().statusCode(400);

        Response refused = given().multiPart("name", "x").when().post("/api/style-sets").then()
                .statusCode(429).contentType("application/problem+json")
                .body("status", equalTo(429))
                .body("subject", equalTo("upload"))
                .body("detail", allOf(containsString("rate limit 'upload'"), containsString("4 requests per 1 h"),
                        containsString("tenshot.limits.rate.upload")))
                .extract().response();
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter > 800 && retryAfter <= 900, "one upload comes back every 15 min: " + retryAfter);
        given().multiPart("styleSet", "1").when().post("/api/evaluations").then().statusCode(429);
        given().multiPart("name", "x").when().post("/style-sets").then().statusCode(429);

        // Other endpoints are not rate limited.
        given().contentType("application/json").body("{\"styleSetId\": 424242}").when().post("/api/runs").then().statusCode(404);
    }

    /** Last: it uses up the sign-in limit that signing in before each test draws on. */
    @Test
    @Order(2)
    void signInsPastTheLimitAnswer429EvenWithTheRightPassword() {
        // 3 sign-ins per hour per address here; this class's own sign-ins (one before each test) count too
        String wrong = "{\"username\": \"operator\", \"password\": \"not the password at all\"}";
        int refusedAt = -1;
        for (int attempt = 1; attempt <= 4 && refusedAt < 0; attempt++) {
            int status = given().contentType("application/json").body(wrong).when().post("/api/session").statusCode();
            if (status == 429) refusedAt = attempt;
            else assertEquals(401, status);
        }
        assertTrue(refusedAt > 0, "the sign-in rate limit was never reached");
        given().contentType("application/json")
                .body("{\"username\": \"operator\", \"password\": \"" + TestAccounts.PASSWORD + "\"}")
                .when().post("/api/session").then().statusCode(429).contentType("application/problem+json")
                .body("subject", equalTo("sign-in")).body("detail", containsString("tenshot.limits.rate.sign-in"))
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        // the sign-in page says so too, as a page
        TestAccounts.signOut();
        given().redirects().follow(false).cookie(SessionCookies.VISITOR_CSRF, "visitor").formParam("_csrf", "visitor")
                .formParam("username", "operator").formParam("password", TestAccounts.PASSWORD).when().post("/login")
                .then().statusCode(429).contentType(containsString("text/html")).body(containsString("(tenshot.limits.rate.sign-in); try again in"));
        assertThrows(IllegalStateException.class, () -> limits.check("no-such-limit", "k"));
    }
}

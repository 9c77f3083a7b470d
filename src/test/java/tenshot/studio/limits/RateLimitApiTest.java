package tenshot.studio.limits;

import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
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
import org.junit.jupiter.api.Test;

/** The upload rate limit over HTTP, with a limit small enough to reach, and the API the sign-in uses. */
@QuarkusTest
@TestProfile(RateLimitApiTest.SmallLimits.class)
@ExtendWith(SignedInAsOperator.class)
class RateLimitApiTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.limits.rate.upload.requests", "4", "tenshot.limits.rate.upload.period", "1h",
                    "tenshot.limits.rate.sign-in.requests", "2", "tenshot.limits.rate.sign-in.period", "1m");
        }
    }

    @Inject
    RateLimits limits;

    @Test
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

    @Test
    void theSignInLimitIsACallAway() {
        limits.check(RateLimits.SIGN_IN, "user:alice");
        limits.check(RateLimits.SIGN_IN, "user:alice");
        RateLimited e = assertThrows(RateLimited.class, () -> limits.check(RateLimits.SIGN_IN, "user:alice"));
        assertEquals(429, e.status());
        assertEquals("sign-in", e.limit());
        assertEquals(30, e.retryAfterSeconds());
        limits.check(RateLimits.SIGN_IN, "user:bob");
        assertThrows(IllegalStateException.class, () -> limits.check("no-such-limit", "k"));
    }
}

package tenshot.studio.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With open sign-up on, anyone may found a new team; joining an existing one still takes an invitation. */
@QuarkusTest
@TestProfile(OpenSignUpTest.Open.class)
class OpenSignUpTest {

    public static class Open implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.access.open-signup", "true");
        }
    }

    @Test
    void aNewTeamNeedsNoInvitationButAnExistingTeamCannotBeJoined() {
        given().contentType(ContentType.JSON)
                .body("{\"username\": \"founder\", \"password\": \"long enough password\", \"team\": \"Open Lab\"}")
                .post("/api/signup").then().statusCode(201).body("team", equalTo("Open Lab")).body("role", equalTo("member"));
        given().contentType(ContentType.JSON)
                .body("{\"username\": \"intruder\", \"password\": \"long enough password\", \"team\": \"Open Lab\"}")
                .post("/api/signup").then().statusCode(409).body("subject", equalTo("team"));
        given().contentType(ContentType.JSON)
                .body("{\"username\": \"founder\", \"password\": \"long enough password\", \"team\": \"Other Lab\"}")
                .post("/api/signup").then().statusCode(409).body("subject", equalTo("username"));
        given().contentType(ContentType.JSON).body("{\"username\": \"x\", \"password\": \"long enough password\", \"team\": \"Lab\"}")
                .post("/api/signup").then().statusCode(400).body("subject", equalTo("username"));
        given().contentType(ContentType.JSON).body("{\"username\": \"founder\", \"password\": \"long enough password\"}")
                .post("/api/session").then().statusCode(200).body("team", equalTo("Open Lab"));
        given().get("/signup").then().statusCode(200).body(containsString("New team"));
    }
}

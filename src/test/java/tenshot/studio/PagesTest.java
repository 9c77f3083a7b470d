package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.testing.Fixtures;

/** The server-rendered pages work as plain HTML: forms post, redirect, and show errors. */
@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class PagesTest {

    /** Runs made here would keep the shared test worker busy (real training on the demo model): stop them. */
    @AfterEach
    void cancelRuns() {
        List<Integer> ids = given().when().get("/api/runs").then().statusCode(200).extract().path("id");
        for (int id : ids) given().when().post("/api/runs/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void uploadStartAndFollowARunWithoutJavaScript() throws Exception {
        Path style = Fixtures.dataset("jittor-a/02");
        var request = given().redirects().follow(false).multiPart("name", "page upload").multiPart("styleId", "02")
                .multiPart("prompts", "prompt.json", Files.readAllBytes(style.resolve("prompt.json")), "application/json");
        for (String image : new String[] {"crane.png", "frog.png"}) {
            request = request.multiPart("images", image, Files.readAllBytes(style.resolve("images").resolve(image)), "image/png");
        }
        String location = request.when().post("/style-sets").then().statusCode(303).extract().header("Location");
        String setPage = given().when().get(location).then().statusCode(200).contentType("text/html")
                .body(containsString("crane")).body(containsString("Start a run")).body(containsString("images are noise"))
                .extract().asString();
        String setId = location.substring(location.lastIndexOf('/') + 1);
        String runLocation = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("styleSetId", setId).formParam("recipe", "baseline").formParam("steps", "3")
                .when().post("/runs").then().statusCode(303).extract().header("Location");
        given().when().get(runLocation).then().statusCode(200).body(containsString("data-run-id"))
                .body(org.hamcrest.Matchers.anyOf(containsString("QUEUED"), containsString("RUNNING"))).body(containsString("run-settings-json"));
        given().when().get("/runs").then().statusCode(200).body(containsString("data-runs-static"));
        given().when().get("/style-sets").then().statusCode(200).body(containsString("page upload"));
        if (setPage.isEmpty()) throw new AssertionError();
    }

    @Test
    void aRejectedFormUploadShowsTheProblemOnThePage() throws Exception {
        given().multiPart("name", "bad").multiPart("prompts", "prompt.json", "[\"Dolphin\"]".getBytes(), "application/json")
                .multiPart("images", "fake.png", "not an image".getBytes(), "image/png")
                .when().post("/style-sets").then().statusCode(415).contentType("text/html")
                .body(containsString("fake.png")).body(containsString("not a PNG or JPEG"));
    }
}

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
                .formParam("styleSetId", setId).formParam("recipe", "baseline").formParam("settings", "{\"steps\": 3}")
                .when().post("/runs").then().statusCode(303).extract().header("Location");
        given().when().get(runLocation).then().statusCode(200).body(containsString("data-run-id"))
                .body(org.hamcrest.Matchers.anyOf(containsString("QUEUED"), containsString("RUNNING")))
                // the status in words even without the front end: queued, or a step of the run
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*Status: <strong>(waiting for a GPU|making class images|training|generating"
                        + "|assembling the results|scoring|done)</strong>.*"))
                .body(containsString("id=\"run-settings-json\"")).body(containsString("&quot;steps&quot; : 3,"));
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

    @Test
    void theRunFormStartsARunWithoutTraining() throws Exception {
        Path style = Fixtures.dataset("jittor-a/02");
        String location = given().redirects().follow(false).multiPart("name", "no training").multiPart("styleId", "02")
                .multiPart("prompts", "prompt.json", "[\"Dolphin\"]".getBytes(), "application/json")
                .multiPart("images", "crane.png", Files.readAllBytes(style.resolve("images").resolve("crane.png")), "image/png")
                .when().post("/style-sets").then().statusCode(303).extract().header("Location");
        given().when().get(location).then().statusCode(200).body(containsString("<label for=\"train\">No training</label>"));
        String setId = location.substring(location.lastIndexOf('/') + 1);
        String runLocation = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("styleSetId", setId).formParam("recipe", "safe").formParam("train", "false")
                .formParam("settings", "{\"resolution\": 64, \"generation\": {\"steps\": 2, \"styleInjection\": {}}}")
                .when().post("/runs").then().statusCode(303).extract().header("Location");
        String run = runLocation.substring(runLocation.lastIndexOf('/') + 1);
        given().when().get("/api/runs/" + run).then().statusCode(200).body("train", org.hamcrest.Matchers.equalTo(false))
                .body("jobs.kind", org.hamcrest.Matchers.equalTo(List.of("GENERATE", "ASSEMBLE", "SCORE")));
        given().when().get(runLocation).then().statusCode(200).body(containsString("No training"));
        // a refused form keeps the box ticked
        given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("styleSetId", setId).formParam("recipe", "safe").formParam("train", "false")
                .formParam("settings", "{\"stepz\": 3}").when().post("/runs").then().statusCode(400)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*id=\"train\" name=\"train\" value=\"false\"[^>]* checked>.*"));
    }

    @Test
    void aRunFormWithBadSettingsIsRefusedNamingTheField() throws Exception {
        Path style = Fixtures.dataset("jittor-a/02");
        String location = given().redirects().follow(false).multiPart("name", "bad settings").multiPart("styleId", "02")
                .multiPart("prompts", "prompt.json", "[\"Dolphin\"]".getBytes(), "application/json")
                .multiPart("images", "crane.png", Files.readAllBytes(style.resolve("images").resolve("crane.png")), "image/png")
                .when().post("/style-sets").then().statusCode(303).extract().header("Location");
        String setId = location.substring(location.lastIndexOf('/') + 1);

        startRun(setId, "{\"steps\": 3,}").then().statusCode(400).contentType("text/html")
                .body(containsString("data-subject=\"settings\"")).body(containsString("not valid JSON"))
                .body(containsString("(line 1, column "))
                // the form comes back as it was sent, to correct
                .body(containsString("{&quot;steps&quot;: 3,}</textarea>")).body(containsString("<option value=\"safe\" selected>"));
        startRun(setId, "{\"stepz\": 3}").then().statusCode(400).contentType("text/html")
                .body(containsString("data-subject=\"settings\"")).body(containsString("recipe field &#39;stepz&#39; is not a recipe field"));
        startRun(setId, "{\"generation\": {\"steps\": 0}}").then().statusCode(400)
                .body(containsString("recipe field &#39;generation.steps&#39; must be &gt;= 1"));
        given().when().get("/api/runs").then().statusCode(200).body("styleSetId", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasItem(Integer.parseInt(setId))));
    }

    private static io.restassured.response.Response startRun(String styleSetId, String settings) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("styleSetId", styleSetId).formParam("recipe", "safe").formParam("settings", settings)
                .when().post("/runs");
    }
}

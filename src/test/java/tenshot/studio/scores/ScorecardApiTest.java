package tenshot.studio.scores;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.scoring.ScoringMode;
import tenshot.store.ArtifactStore;
import tenshot.studio.access.SignedInAsOperator;

@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class ScorecardApiTest {

    @Inject
    ArtifactStore store;

    @Test
    void servesTheStoredScorecardAsJsonCsvAndOnTheRunPage() throws Throwable {
        long set = ScoresFixtures.styleSet("11");
        long run = ScoresFixtures.run(store, set, "default", "baseline");

        given().when().get("/api/runs/" + run + "/scorecard").then().statusCode(404)
                .contentType(containsString("problem+json")).body("detail", containsString("no scorecard yet"));
        given().when().get("/runs/" + run).then().statusCode(200).body(containsString("No scorecard yet"));

        double hist = ScoresFixtures.storeScorecard(store, run, "11", 0xB04030, ScoringMode.OFFICIAL);

        given().config(ScoresFixtures.DOUBLES).when().get("/api/runs/" + run + "/scorecard").then().statusCode(200)
                .body("mode", equalTo("official"))
                .body("final", nullValue())
                .body("final_note", containsString("no final score"))
                .body("metrics.find { it.metric == 'hist' }.value", closeTo(hist, 1e-12))
                .body("metrics.find { it.metric == 'hist' }.weight", closeTo(0.4, 1e-12))
                .body("metrics.find { it.metric == 'dino' }.computed", equalTo(false))
                .body("metrics.find { it.metric == 'dino' }.reason", containsString("model not installed"));

        String csv = given().when().get("/api/runs/" + run + "/scorecard.csv").then().statusCode(200)
                .contentType(startsWith("text/csv")).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(csv.startsWith("mode,level,style,image,prompt,dino,hist,lpips,clip_r,fid,clip_iqa,final\n"), csv);
        org.junit.jupiter.api.Assertions.assertTrue(csv.contains("official,image,11,Dolphin.png"), csv);
        org.junit.jupiter.api.Assertions.assertTrue(csv.contains("official,overall,,,,"), csv);

        given().when().get("/runs/" + run).then().statusCode(200)
                .body(containsString("data-mode=\"official\""))
                .body(containsString(String.format(java.util.Locale.ROOT, "%.4f", hist)))
                .body(containsString("missing: model not installed"))
                .body(containsString("0.4·hist in the style factor"))
                .body(containsString("action=\"/leaderboard/submissions\""));
    }

    @Test
    void anUnknownRunIsNotFound() {
        given().when().get("/api/runs/987654/scorecard").then().statusCode(404).body("detail", containsString("987654"));
        given().when().get("/api/runs/987654/scorecard.csv").then().statusCode(404);
    }
}

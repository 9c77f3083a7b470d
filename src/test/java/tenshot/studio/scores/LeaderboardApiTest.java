package tenshot.studio.scores;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.store.ArtifactStore;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class LeaderboardApiTest {

    @Inject
    ArtifactStore store;

    @TempDir
    Path models;

    /** Submits as a member of the runs' team. */
    private static int submit(String team, String dataset, long... runIds) {
        StringBuilder ids = new StringBuilder();
        for (long id : runIds) ids.append(ids.length() == 0 ? "" : ",").append(id);
        return TestAccounts.member(team).call(() -> given().contentType("application/json")
                .body("{\"runIds\": [" + ids + "], \"dataset\": \"" + dataset + "\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201).extract().path("id"));
    }

    @Test
    void ranksTeamsByTheirBestSubmissionWithTiesAndUnrankedOnes() throws Throwable {
        long set = ScoresFixtures.styleSet("05");
        long alpha = ScoresFixtures.run(store, set, "alpha", "baseline");
        long alphaWorse = ScoresFixtures.run(store, set, "alpha", "aggressive");
        long beta = ScoresFixtures.run(store, set, "beta", "safe");
        long gamma = ScoresFixtures.run(store, set, "gamma", "baseline");
        long delta = ScoresFixtures.run(store, set, "delta", "baseline");
        long unscored = ScoresFixtures.run(store, set, "delta", "safe");

        Scorecard alphaCard;
        Scorecard worseCard;
        Scorecard gammaCard;
        try (ScoringModels all = ScoresFixtures.fixtureModels(models)) {
            alphaCard = ScoresFixtures.storeScorecard(store, alpha, "05", 0x906050, ScoringMode.OFFICIAL, all);
            // beta's generations are alpha's images: the same scorecard, so a tie.
            ScoresFixtures.storeScorecard(store, beta, "05", 0x906050, ScoringMode.OFFICIAL, all);
            worseCard = ScoresFixtures.storeScorecard(store, alphaWorse, "05", 0x10F0F0, ScoringMode.OFFICIAL, all);
            gammaCard = ScoresFixtures.storeScorecard(store, gamma, "05", 0xF0F010, ScoringMode.OFFICIAL, all);
        }
        assertNotNull(alphaCard.finalScore(), alphaCard.finalNote());
        assertNotNull(gammaCard.finalScore(), gammaCard.finalNote());
        double hist = ScoresFixtures.storeScorecard(store, delta, "05", 0x906050, ScoringMode.OFFICIAL);

        // Refusals, as problem+json naming what is wrong.
        TestAccounts.member("delta").forAllRequests();
        given().contentType("application/json").body("{\"runIds\": [" + unscored + "], \"dataset\": \"A\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(409)
                .contentType(containsString("problem+json")).body("detail", containsString("no scorecard yet"));
        TestAccounts.member("alpha").forAllRequests();
        // another team's run is not there for alpha
        given().contentType("application/json").body("{\"runIds\": [" + alpha + ", " + beta + "], \"dataset\": \"A\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(404).body("detail", equalTo("no run with id " + beta));
        given().contentType("application/json").body("{\"runIds\": [" + alpha + "], \"dataset\": \"../x\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(400).body("detail", containsString("dataset"));
        given().contentType("application/json").body("{\"runIds\": [123456], \"dataset\": \"A\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(404);

        submit("alpha", "A", alphaWorse);
        submit("alpha", "A", alpha);
        submit("beta", "A", beta);
        submit("gamma", "A", gamma);
        submit("delta", "A", delta);
        submit("gamma", "my-set", gamma);

        double tieScore = alphaCard.finalScore();
        int gammaRank = gammaCard.finalScore() > tieScore ? 1 : 3;
        int tieRank = gammaCard.finalScore() > tieScore ? 2 : 1;
        var board = given().config(ScoresFixtures.DOUBLES).when().get("/api/leaderboard?dataset=A").then().statusCode(200)
                .body("dataset", equalTo("A")).body("mode", equalTo("official"))
                .body("rows", hasSize(4))
                .body("rows.find { it.team == 'alpha' }.rank", equalTo(tieRank))
                .body("rows.find { it.team == 'alpha' }.tie", equalTo(true))
                .body("rows.find { it.team == 'beta' }.rank", equalTo(tieRank))
                .body("rows.find { it.team == 'beta' }.tie", equalTo(true))
                .body("rows.find { it.team == 'gamma' }.rank", equalTo(gammaRank))
                .body("rows.find { it.team == 'gamma' }.tie", equalTo(false))
                .body("rows.find { it.team == 'alpha' }.finalScore", closeTo(tieScore, 1e-12))
                .body("rows.find { it.team == 'alpha' }.submission.runIds", equalTo(List.of((int) alpha)))
                .body("rows.find { it.team == 'alpha' }.submission.metrics.fid", closeTo(alphaCard.values().get(tenshot.scoring.Metric.FID), 1e-9))
                .body("rows.find { it.team == 'alpha' }.submission.recipes[0].recipeName", equalTo("baseline"))
                .body("rows.find { it.team == 'alpha' }.submission.recipes[0].recipe.steps", equalTo(5))
                .body("rows[3].team", equalTo("delta"))
                .body("rows[3].rank", nullValue())
                .body("rows[3].unrankedReason", containsString("not computed"))
                .body("rows[3].submission.metrics.hist", closeTo(hist, 1e-12))
                .body("rows[3].submission.metrics.dino", nullValue())
                .body("rows[3].submission.missing.dino", containsString("model not installed"));
        // alpha's better submission is its best; its worse one stays in its history.
        if (worseCard.finalScore() < tieScore) {
            board.body("rows.find { it.team == 'alpha' }.submission.recipes[0].recipeName", equalTo("baseline"));
        }

        given().config(ScoresFixtures.DOUBLES).when().get("/api/leaderboard/teams/alpha/submissions").then().statusCode(200)
                .body("", hasSize(2))
                .body("[0].runIds", equalTo(List.of((int) alpha)))
                .body("[1].runIds", equalTo(List.of((int) alphaWorse)))
                .body("[1].finalScore", closeTo(worseCard.finalScore(), 1e-12));
        given().when().get("/api/leaderboard/teams/nobody/submissions").then().statusCode(404);
        given().when().get("/api/leaderboard?dataset=B").then().statusCode(200).body("rows", hasSize(0));
        given().when().get("/api/leaderboard?dataset=my-set").then().statusCode(200).body("rows[0].team", equalTo("gamma"))
                .body("rows[0].rank", equalTo(1)).body("rows[0].tie", equalTo(false));

        given().when().get("/leaderboard?dataset=A").then().statusCode(200)
                .body(containsString("href=\"/leaderboard\""))
                .body(containsString("data-team=\"alpha\" data-rank=\"=" + tieRank + "\" data-tie"))
                .body(containsString("data-team=\"beta\" data-rank=\"=" + tieRank + "\" data-tie"))
                .body(containsString("unranked: no final score"))
                .body(containsString("<abbr title=\"model not installed"))
                .body(containsString("<option value=\"my-set\""));
        given().when().get("/leaderboard?dataset=B").then().statusCode(200).body(containsString("No submissions for dataset B"));

        // each team's history, as a page anyone may read, linked from the board
        given().when().get("/leaderboard?dataset=A").then().body(containsString("href=\"/leaderboard/teams/alpha?dataset=A\""));
        TestAccounts.signOut();
        given().when().get("/leaderboard/teams/alpha?dataset=A").then().statusCode(200)
                .body(containsString("<h1>Team alpha</h1>"))
                .body(containsString("data-submission-id"))
                .body(containsString(ScorecardView.format(worseCard.finalScore())))
                .body(containsString("aggressive"));
    }

    @Test
    void severalRunsPoolTheirFidFromTheStoredFeatures() throws Throwable {
        long first = ScoresFixtures.run(store, ScoresFixtures.styleSet("41"), "pool", "baseline");
        long second = ScoresFixtures.run(store, ScoresFixtures.styleSet("42"), "pool", "baseline");
        TestAccounts.member("pool").forAllRequests();
        Scorecard joint;
        try (ScoringModels all = ScoresFixtures.fixtureModels(models)) {
            ScoresFixtures.storeScorecard(store, first, "41", 0x906050, ScoringMode.OFFICIAL, all);
            ScoresFixtures.storeScorecard(store, second, "42", 0x10F0F0, ScoringMode.OFFICIAL, all);
            // What the official kit computes for both styles at once: the reference for the pooled numbers.
            joint = ScoresFixtures.scorer(all, ScoringMode.OFFICIAL).scoreImages(List.of(
                    ScoresFixtures.styleImages("41", 0x906050, ScoresFixtures.PROMPTS),
                    ScoresFixtures.styleImages("42", 0x10F0F0, ScoresFixtures.PROMPTS)));
        }
        assertNotNull(joint.finalScore(), joint.finalNote());
        var response = given().config(ScoresFixtures.DOUBLES).contentType("application/json")
                .body("{\"runIds\": [" + first + ", " + second + "], \"dataset\": \"pooled\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201)
                .body("finalScore", closeTo(joint.finalScore(), 1e-9))
                .body("hidden", equalTo("none"));
        for (tenshot.scoring.Metric m : tenshot.scoring.Metric.values()) {
            response.body("metrics." + m.key(), closeTo(joint.values().get(m), 1e-9 * Math.max(1, Math.abs(joint.values().get(m)))));
        }

        // A run scored before the features were kept: no pooled FID, and the reason says what to do.
        store.delete(tenshot.studio.jobs.ScoreArtifacts.ofRun(second).fidFeaturesKey());
        given().contentType("application/json").body("{\"runIds\": [" + first + ", " + second + "], \"dataset\": \"pooled\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201)
                .body("finalScore", nullValue())
                .body("missing.fid", containsString("run " + second + "'s scorecard has no stored FID features"));
    }

    @Test
    void severalHistOnlyRunsMakeOneSubmissionWithoutFinalScore() throws Throwable {
        long first = ScoresFixtures.run(store, ScoresFixtures.styleSet("21"), "multi", "baseline");
        long second = ScoresFixtures.run(store, ScoresFixtures.styleSet("22"), "multi", "baseline");
        TestAccounts.member("multi").forAllRequests();
        double h1 = ScoresFixtures.storeScorecard(store, first, "21", 0x906050, ScoringMode.OFFICIAL);
        double h2 = ScoresFixtures.storeScorecard(store, second, "22", 0x10F0F0, ScoringMode.OFFICIAL);
        given().config(ScoresFixtures.DOUBLES).contentType("application/json")
                .body("{\"runIds\": [" + first + ", " + second + "], \"dataset\": \"multi-B\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201)
                .body("team", equalTo("multi"))
                .body("metrics.hist", closeTo((h1 + h2) / 2, 1e-12))
                .body("finalScore", nullValue())
                .body("missing.fid", containsString("model not installed"));
        given().redirects().follow(false).formParam("runId", first).formParam("dataset", "page-set")
                .when().post("/leaderboard/submissions").then().statusCode(303)
                .header("Location", containsString("/leaderboard?dataset=page-set&mode=official"));
        given().when().get("/api/leaderboard?dataset=page-set").then().statusCode(200).body("rows[0].team", equalTo("multi"))
                .body("rows[0].submission.runIds", equalTo(List.of((int) first)));
        long sameStyle = ScoresFixtures.run(store, ScoresFixtures.styleSet("21"), "multi", "safe");
        ScoresFixtures.storeScorecard(store, sameStyle, "21", 0x906050, ScoringMode.OFFICIAL);
        given().contentType("application/json").body("{\"runIds\": [" + first + ", " + sameStyle + "], \"dataset\": \"multi-B\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(409).body("detail", containsString("style 21"));
    }
}

package tenshot.studio.scores;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorecard;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.store.ArtifactStore;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** Public and hidden prompts of a leaderboard dataset: public scores at once, hidden ones sealed until the reveal. */
@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class LeaderboardSplitTest {

    @Inject
    ArtifactStore store;

    @Inject
    Pool pool;

    @TempDir
    Path models;

    @Test
    void hiddenPromptsAreScoredSealedAndRankedOnlyAfterTheReveal() throws Throwable {
        String split = "{\"hidden\": {\"31\": [\"castle\", \"Lion\"], \"32\": [\"Dolphin\"]}}";
        given().contentType("application/json").body(split).when().put("/api/leaderboard/datasets/S1/split").then()
                .statusCode(200).body("hiddenPrompts", equalTo(3)).body("revealed", equalTo(false));
        given().contentType("application/json").body("{\"hidden\": {\"31\": [\"Lion\", \"lion\"]}}")
                .when().put("/api/leaderboard/datasets/S1/split").then().statusCode(400)
                .contentType(containsString("problem+json")).body("detail", containsString("given twice"));

        long low = ScoresFixtures.run(store, ScoresFixtures.styleSet("31"), "split-low", "baseline");
        long high = ScoresFixtures.run(store, ScoresFixtures.styleSet("31"), "split-high", "safe");
        Scorecard lowPublic;
        Scorecard lowHidden;
        Scorecard highPublic;
        Scorecard highHidden;
        try (ScoringModels all = ScoresFixtures.fixtureModels(models)) {
            ScoresFixtures.storeScorecard(store, low, "31", 0x10F0F0, ScoringMode.OFFICIAL, all);
            ScoresFixtures.storeScorecard(store, high, "31", 0x906050, ScoringMode.OFFICIAL, all);
            // The kit's numbers on each half alone are what the split's scores must be.
            Scorer scorer = ScoresFixtures.scorer(all, ScoringMode.OFFICIAL);
            lowPublic = scorer.scoreImages(List.of(ScoresFixtures.styleImages("31", 0x10F0F0, List.of("Dolphin", "Bread"))));
            lowHidden = scorer.scoreImages(List.of(ScoresFixtures.styleImages("31", 0x10F0F0, List.of("Castle", "Lion"))));
            highPublic = scorer.scoreImages(List.of(ScoresFixtures.styleImages("31", 0x906050, List.of("Dolphin", "Bread"))));
            highHidden = scorer.scoreImages(List.of(ScoresFixtures.styleImages("31", 0x906050, List.of("Castle", "Lion"))));
        }
        assertNotNull(lowPublic.finalScore(), lowPublic.finalNote());
        assertNotNull(lowHidden.finalScore(), lowHidden.finalNote());

        TestAccounts.member("split-high").call(() -> given().contentType("application/json")
                .body("{\"runIds\": [" + high + "], \"dataset\": \"S1\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201));
        // A member of a team sees the sealed board like everyone else, and cannot change or reveal the split.
        TestAccounts.member("split-low").forAllRequests();
        given().contentType("application/json").body(split).when().put("/api/leaderboard/datasets/S1/split").then()
                .statusCode(403).body("subject", equalTo("role"));
        given().when().post("/api/leaderboard/datasets/S1/reveal").then().statusCode(403);
        given().config(ScoresFixtures.DOUBLES).contentType("application/json")
                .body("{\"runIds\": [" + low + "], \"dataset\": \"S1\"}").when().post("/api/leaderboard/submissions").then()
                .statusCode(201)
                .body("finalScore", closeTo(lowPublic.finalScore(), 1e-9))
                .body("metrics.fid", closeTo(lowPublic.values().get(Metric.FID), 1e-9))
                .body("publicImages", equalTo(2))
                .body("hidden", equalTo("sealed"))
                .body("hiddenScore", nullValue());

        // Sealed: the public board ranks on the public prompts only, the hidden board and scores are refused.
        given().config(ScoresFixtures.DOUBLES).when().get("/api/leaderboard?dataset=S1").then().statusCode(200)
                .body("split", equalTo("public"))
                .body("status.hiddenPrompts", equalTo(3))
                .body("status.hidden", nullValue())
                .body("rows.find { it.team == 'split-low' }.finalScore", closeTo(lowPublic.finalScore(), 1e-9))
                .body("rows.find { it.team == 'split-high' }.finalScore", closeTo(highPublic.finalScore(), 1e-9))
                .body("rows.find { it.team == 'split-low' }.submission.hidden", equalTo("sealed"))
                .body("rows.find { it.team == 'split-low' }.submission.hiddenScore", nullValue());
        given().when().get("/api/leaderboard?dataset=S1&split=hidden").then().statusCode(403)
                .contentType(containsString("problem+json")).body("detail", containsString("sealed"));
        given().when().get("/api/leaderboard/teams/split-low/submissions?dataset=S1").then().statusCode(200)
                .body("[0].hidden", equalTo("sealed")).body("[0].hiddenScore", nullValue());
        given().when().get("/api/leaderboard/datasets/S1").then().statusCode(200)
                .body("hiddenPrompts", equalTo(3)).body("revealed", equalTo(false)).body("hidden", nullValue());
        given().when().get("/leaderboard?dataset=S1").then().statusCode(200)
                .body(containsString("3 hidden\n  prompt(s)")).body(containsString("sealed until an organiser reveals them"));

        // Visitors too.
        TestAccounts.signOut();
        given().when().get("/api/leaderboard?dataset=S1&split=hidden").then().statusCode(403);
        given().when().get("/api/leaderboard/datasets/S1").then().statusCode(200).body("hidden", nullValue());

        // Scores exist: the split can no longer change.
        TestAccounts.operator().forAllRequests();
        given().contentType("application/json").body(split).when().put("/api/leaderboard/datasets/S1/split").then()
                .statusCode(409).body("detail", containsString("already has 2 submission(s)"));

        given().when().post("/api/leaderboard/datasets/S1/reveal").then().statusCode(200)
                .body("revealed", equalTo(true)).body("hidden.31", equalTo(List.of("Lion", "castle")));
        var audit = pool.preparedQuery("SELECT count(*) FROM audit_event WHERE action = 'leaderboard.reveal' AND target = $1")
                .execute(Tuple.of("dataset S1")).await().indefinitely().iterator().next().getLong(0);
        assertEquals(1L, audit);
        given().when().post("/api/leaderboard/datasets/S1/reveal").then().statusCode(409).body("detail", containsString("already revealed"));
        given().when().post("/api/leaderboard/datasets/no-split/reveal").then().statusCode(409)
                .body("detail", containsString("no hidden prompts"));

        int highRank = highHidden.finalScore() > lowHidden.finalScore() ? 1 : 2;
        given().config(ScoresFixtures.DOUBLES).when().get("/api/leaderboard?dataset=S1&split=hidden").then().statusCode(200)
                .body("split", equalTo("hidden"))
                .body("rows.find { it.team == 'split-low' }.finalScore", closeTo(lowHidden.finalScore(), 1e-9))
                .body("rows.find { it.team == 'split-high' }.finalScore", closeTo(highHidden.finalScore(), 1e-9))
                .body("rows.find { it.team == 'split-high' }.rank", equalTo(highRank))
                .body("rows.find { it.team == 'split-low' }.submission.hidden", equalTo("revealed"))
                .body("rows.find { it.team == 'split-low' }.submission.hiddenScore.images", equalTo(2))
                .body("rows.find { it.team == 'split-low' }.submission.hiddenScore.metrics.fid",
                        closeTo(lowHidden.values().get(Metric.FID), 1e-9));
        given().when().get("/leaderboard?dataset=S1&split=hidden").then().statusCode(200)
                .body(containsString("They were revealed on"));
    }

    @Test
    void aStyleWhosePromptsAreAllHiddenHasNoPublicScore() throws Throwable {
        given().contentType("application/json").body("{\"hidden\": {\"33\": [\"Dolphin\", \"Bread\", \"Castle\", \"Lion\"]}}")
                .when().put("/api/leaderboard/datasets/S2/split").then().statusCode(200);
        long run = ScoresFixtures.run(store, ScoresFixtures.styleSet("33"), "split-all", "baseline");
        double hist = ScoresFixtures.storeScorecard(store, run, "33", 0x906050, ScoringMode.OFFICIAL);
        TestAccounts.member("split-all").call(() -> given().config(ScoresFixtures.DOUBLES).contentType("application/json")
                .body("{\"runIds\": [" + run + "], \"dataset\": \"S2\"}").when().post("/api/leaderboard/submissions").then()
                .statusCode(201)
                .body("finalScore", nullValue())
                .body("publicImages", equalTo(0))
                .body("missing.hist", containsString("no generated image of this submission is in this split")));
        given().when().post("/api/leaderboard/datasets/S2/reveal").then().statusCode(200);
        given().config(ScoresFixtures.DOUBLES).when().get("/api/leaderboard/teams/split-all/submissions").then().statusCode(200)
                .body("[0].hiddenScore.metrics.hist", closeTo(hist, 1e-12))
                .body("[0].hiddenScore.images", equalTo(4));
    }
}

package tenshot.studio.quota;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.image.RgbImage;
import tenshot.store.ArtifactStore;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.scores.StoredScorecards;

/** Leaderboard submissions per UTC day, with the profile's default limit (2). */
@QuarkusTest
@TestProfile(QuotaTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class SubmissionQuotaTest {

    @Inject
    Pool pool;

    @Inject
    ArtifactStore store;

    @Test
    void aThirdSubmissionTodayIsRefusedUntilMidnightUtc() throws Exception {
        QuotaFixtures db = new QuotaFixtures(pool);
        long set = QuotaFixtures.styleSet("submitters");
        long team = db.teamId("submitters");
        long run = scoredRun(db, team, set);
        // yesterday's submissions do not count today
        db.execute("""
                INSERT INTO leaderboard_submission (team_id, dataset, run_ids, mode, missing, recipes, created_at)
                VALUES ($1, 'A', $2, 'official', '{}', '[]', now() - interval '1 day')""", team, String.valueOf(run));

        submit(run).then().statusCode(201);
        submit(run).then().statusCode(201);
        Instant midnight = QuotaDay.of(Instant.now()).end();
        long before = db.count("SELECT count(*) FROM leaderboard_submission WHERE team_id = $1", team);
        io.restassured.response.Response refused = submit(run);
        refused.then().statusCode(429).contentType("application/problem+json")
                .body("limit", equalTo("submissions-per-day"))
                .body("value", equalTo(2))
                .body("used", equalTo(2))
                .body("unit", equalTo("submissions"))
                .body("resetsAt", equalTo(midnight.toString()))
                .body("resetsWhen", equalTo("at 00:00 UTC"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        long untilMidnight = midnight.getEpochSecond() - Instant.now().getEpochSecond();
        assertTrue(retryAfter >= untilMidnight && retryAfter <= untilMidnight + 60, "Retry-After " + retryAfter
                + " s, midnight in " + untilMidnight + " s");
        assertEquals(before, db.count("SELECT count(*) FROM leaderboard_submission WHERE team_id = $1", team));

        SetClock.at(midnight.toString());
        // what counts is the day of the clock: today's two are yesterday's now
        submit(run).then().statusCode(201);
    }

    private static io.restassured.response.Response submit(long run) {
        return given().contentType("application/json").body("{\"runIds\": [" + run + "], \"dataset\": \"A\"}")
                .when().post("/api/leaderboard/submissions");
    }

    /** A finished run of the team with a real hist-only scorecard where the SCORE job stores it; no jobs. */
    private long scoredRun(QuotaFixtures db, long team, long set) throws Exception {
        db.execute("""
                INSERT INTO run (team_id, style_set_id, recipe_name, recipe, base_model)
                VALUES ($1, $2, 'baseline', '{"base": "baseline", "steps": 5}', 'demo-sd21')""", team, set);
        long run = db.count("SELECT max(id) FROM run WHERE team_id = $1", team);
        store.deleteAll(tenshot.studio.jobs.RunSpec.prefix(run));
        Map<String, RgbImage> refs = new LinkedHashMap<>();
        refs.put("red_apple.png", RgbImage.of(noise(0xC03020, 1)));
        refs.put("blue_car.png", RgbImage.of(noise(0x2040C0, 2)));
        Map<String, RgbImage> generated = new LinkedHashMap<>();
        generated.put("Dolphin.png", RgbImage.of(noise(0xA04030, 3)));
        generated.put("Bread.png", RgbImage.of(noise(0x3050B0, 4)));
        try (ScoringModels none = ScoringModels.none("not installed (quota test)")) {
            var card = new Scorer(none, ScoringMode.OFFICIAL).scoreImages(List.of(new Scorer.StyleImages("00", refs, generated)));
            store.put(StoredScorecards.key(run), ScorecardExport.toJson(card).getBytes(StandardCharsets.UTF_8));
        }
        return run;
    }

    private static BufferedImage noise(int rgb, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int r = Math.max(0, Math.min(255, ((rgb >> 16) & 255) + random.nextInt(81) - 40));
                int g = Math.max(0, Math.min(255, ((rgb >> 8) & 255) + random.nextInt(81) - 40));
                int b = Math.max(0, Math.min(255, (rgb & 255) + random.nextInt(81) - 40));
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }
}

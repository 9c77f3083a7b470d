package tenshot.studio.quota;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** Organisers set a team's own limits (audited) and read every team's; defaults apply otherwise. */
@QuarkusTest
@TestProfile(QuotaTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class QuotaAdminTest {

    @Inject
    Pool pool;

    @Test
    void organisersOverrideATeamsLimitsAndTheChangeIsAudited() throws Exception {
        QuotaFixtures db = new QuotaFixtures(pool);
        QuotaFixtures.styleSet("tuned");
        TestAccounts.operator().forAllRequests();
        given().when().get("/api/organiser/quotas/tuned").then().statusCode(200)
                .body("team", equalTo("tuned"))
                .body("concurrentRuns.value", equalTo(2)).body("concurrentRuns.fromDefault", equalTo(true))
                .body("gpuMinutesPerDay.value", equalTo(60)).body("submissionsPerDay.value", equalTo(2))
                .body("concurrentRuns.resetsWhen", equalTo(Quotas.CONCURRENT_RESETS));

        given().contentType("application/json").body("{\"concurrentRuns\": 3, \"gpuMinutesPerDay\": 600}")
                .when().put("/api/organiser/quotas/tuned").then().statusCode(200)
                .body("concurrentRuns.value", equalTo(3)).body("concurrentRuns.fromDefault", equalTo(false))
                .body("gpuMinutesPerDay.value", equalTo(600))
                .body("submissionsPerDay.value", equalTo(2)).body("submissionsPerDay.fromDefault", equalTo(true));
        given().when().get("/api/organiser/quotas").then().statusCode(200)
                .body("defaults.concurrentRuns", equalTo(2)).body("defaults.gpuMinutesPerDay", equalTo(60))
                .body("defaults.submissionsPerDay", equalTo(2))
                .body("teams.find { it.team == 'tuned' }.gpuMinutesPerDay.value", equalTo(600));
        long tunedId = db.teamId("tuned");
        org.junit.jupiter.api.Assertions.assertEquals(1, db.count("""
                SELECT count(*) FROM audit_event WHERE action = 'quota.change' AND target = 'team tuned'
                   AND detail = 'concurrentRuns: default -> 3; gpuMinutesPerDay: default -> 600'"""));

        given().when().delete("/api/organiser/quotas/tuned").then().statusCode(200)
                .body("concurrentRuns.value", equalTo(2)).body("concurrentRuns.fromDefault", equalTo(true));
        org.junit.jupiter.api.Assertions.assertEquals(1, db.count("""
                SELECT count(*) FROM audit_event WHERE action = 'quota.change' AND target = 'team tuned'
                   AND detail = 'concurrentRuns: 3 -> default; gpuMinutesPerDay: 600 -> default'"""));
        org.junit.jupiter.api.Assertions.assertEquals(0, db.count("SELECT count(*) FROM team_quota WHERE team_id = $1", tunedId));
    }

    @Test
    void badLimitsAndUnknownTeamsAreRefused() throws Exception {
        QuotaFixtures.styleSet("strict");
        TestAccounts.operator().forAllRequests();
        given().contentType("application/json").body("{\"submissionsPerDay\": -1}")
                .when().put("/api/organiser/quotas/strict").then().statusCode(400).contentType("application/problem+json")
                .body("subject", equalTo("submissionsPerDay"));
        given().contentType("application/json").body("{\"concurrentRuns\": \"many\"}")
                .when().put("/api/organiser/quotas/strict").then().statusCode(400);
        given().contentType("application/json").body("{\"concurrentRuns\": 1}")
                .when().put("/api/organiser/quotas/nobody").then().statusCode(404).contentType("application/problem+json");
        given().when().get("/api/organiser/quotas/nobody").then().statusCode(404);
        // a limit of 0 stops the team: nothing may start
        given().contentType("application/json").body("{\"concurrentRuns\": 0}")
                .when().put("/api/organiser/quotas/strict").then().statusCode(200);
        QuotaFixtures.start(QuotaFixtures.styleSet("strict")).then().statusCode(429).body("value", equalTo(0))
                .body("used", equalTo(0));
        TestAccounts.operator().forAllRequests();
        given().when().get("/api/organiser/quotas").then().statusCode(200).body("teams.team", hasItem("strict"));
    }
}

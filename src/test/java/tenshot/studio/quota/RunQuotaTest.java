package tenshot.studio.quota;

import tenshot.queue.FailureKind;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** Concurrent runs and GPU-minutes, checked where runs start, re-run and retry (no worker runs here). */
@QuarkusTest
@TestProfile(QuotaTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class RunQuotaTest {

    @Inject
    Pool pool;

    QuotaFixtures db;

    @BeforeEach
    void fixtures() {
        db = new QuotaFixtures(pool);
    }

    @Test
    void aThirdRunIsRefusedUntilOneOfTheTeamsRunsFinishes() throws Exception {
        long set = QuotaFixtures.styleSet("busy");
        long first = QuotaFixtures.startOk(set);
        long second = QuotaFixtures.startOk(set);
        long runsBefore = db.count("SELECT count(*) FROM run");

        QuotaFixtures.start(set).then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", nullValue())
                .body("type", equalTo(QuotaProblem.TYPE))
                .body("limit", equalTo("concurrent-runs"))
                .body("value", equalTo(2))
                .body("used", equalTo(2))
                .body("unit", equalTo("runs"))
                .body("resetsAt", nullValue())
                .body("resetsWhen", containsString("finishes"))
                .body("activeRuns", equalTo(List.of((int) first, (int) second)))
                .body("detail", containsString("2 runs queued or running"));
        given().contentType("application/json").body("{\"recipe\": {\"steps\": 6}}")
                .when().post("/api/runs/" + first + "/rerun").then().statusCode(429).body("limit", equalTo("concurrent-runs"));
        assertEquals(runsBefore, db.count("SELECT count(*) FROM run"), "a refused start leaves no run behind");

        given().when().post("/api/runs/" + first + "/cancel").then().statusCode(200);
        long third = QuotaFixtures.startOk(set);

        // the cancelled run would make three again
        given().when().post("/api/runs/" + first + "/retry").then().statusCode(429)
                .body("limit", equalTo("concurrent-runs")).body("activeRuns", equalTo(List.of((int) second, (int) third)));
        given().when().post("/api/runs/" + second + "/cancel").then().statusCode(200);
        given().when().post("/api/runs/" + first + "/retry").then().statusCode(200).body("status", equalTo("QUEUED"));
        // another team is not held back by this one
        QuotaFixtures.startOk(QuotaFixtures.styleSet("idle"));
    }

    @Test
    void startsSentAtOnceAreCountedOneAfterAnother() throws Exception {
        long set = QuotaFixtures.styleSet("racers");
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) answers.add(senders.submit(() -> QuotaFixtures.start(set).statusCode()));
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) statuses.add(answer.get());
            assertEquals(2, statuses.stream().filter(s -> s == 201).count(), "answers: " + statuses);
            assertEquals(4, statuses.stream().filter(s -> s == 429).count(), "answers: " + statuses);
        } finally {
            senders.shutdownNow();
        }
        assertEquals(2, db.count("SELECT count(*) FROM run WHERE team_id = $1", db.teamId("racers")));
    }

    /** A team's own limits through the organiser API. */
    static void limits(String team, String json) {
        TestAccounts.operator().call(() -> given().contentType("application/json").body(json)
                .when().put("/api/organiser/quotas/" + team).then().statusCode(200));
    }

    static io.restassured.response.ValidatableResponse status(String team) {
        return TestAccounts.operator().call(() -> given().when().get("/api/organiser/quotas/" + team).then().statusCode(200));
    }

    @Test
    void gpuMinutesCountTheTeamsWorkButNotTheSystemsFaults() throws Exception {
        Instant noon = Instant.parse("2031-03-10T12:00:00Z");
        SetClock clock = SetClock.at(noon.toString());
        long set = QuotaFixtures.styleSet("gpu");
        limits("gpu", "{\"gpuMinutesPerDay\": 10, \"concurrentRuns\": 10}");
        long run = QuotaFixtures.startOk(set);
        long job = db.trainJob(run);
        // billing follows the failure kind the worker records, never the stack-trace text
        String permanentText = "tenshot.worker.PermanentJobFailure: the run has no trained LoRA (runs/1/lora.safetensors)\n\tat tenshot.studio.jobs.GenerateHandler.run";

        db.attempt(job, noon.minus(minutes(60)), noon.minus(minutes(57)), "succeeded");   // 3 counted
        db.attempt(db.evaluationJob("gpu", set), noon.minus(minutes(70)), noon.minus(minutes(69)), "succeeded"); // 1 counted
        db.attempt(job, noon.minus(minutes(50)), noon.minus(minutes(48)), "cancelled");   // 2 counted: the team's cancel
        db.attempt(job, noon.minus(minutes(45)), noon.minus(minutes(42)), "failed", FailureKind.INPUT, "java.lang.IllegalArgumentException: bad prompt"); // 3 counted: the team's input
        db.attempt(job, noon.minus(minutes(40)), noon.minus(minutes(10)), "failed", FailureKind.INTERNAL, permanentText);  // system fault, whatever its text says
        db.attempt(job, noon.minus(minutes(120)), noon.minus(minutes(90)), "lease_expired"); // worker lost
        db.attempt(job, noon.minus(minutes(160)), noon.minus(minutes(130)), "stalled"); // hung engine
        db.attempt(job, noon.minus(minutes(200)), noon.minus(minutes(170)), "released");  // worker stopped
        db.attempt(job, Instant.parse("2031-03-09T20:00:00Z"), Instant.parse("2031-03-09T23:00:00Z"), "succeeded"); // yesterday
        status("gpu").body("gpuMinutesPerDay.used", equalTo(9.0f)).body("gpuMinutesPerDay.value", equalTo(10))
                .body("gpuMinutesPerDay.resetsAt", equalTo("2031-03-11T00:00:00Z"));
        long second = QuotaFixtures.startOk(set);

        // half a minute before midnight, half after; and one running for the last half minute
        db.attempt(job, Instant.parse("2031-03-09T23:59:30Z"), Instant.parse("2031-03-10T00:00:30Z"), "succeeded");
        db.attempt(job, noon.minus(Duration.ofSeconds(30)), null, null);
        status("gpu").body("gpuMinutesPerDay.used", equalTo(10.0f));
        QuotaFixtures.start(set).then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", equalTo(String.valueOf(12 * 3600)))
                .body("limit", equalTo("gpu-minutes-per-day"))
                .body("value", equalTo(10))
                .body("used", equalTo(10.0f))
                .body("unit", equalTo("GPU-minutes"))
                .body("resetsAt", equalTo("2031-03-11T00:00:00Z"))
                .body("detail", containsString("runs already started go on"));
        given().when().post("/api/runs/" + second + "/cancel").then().statusCode(200);
        given().when().post("/api/runs/" + second + "/retry").then().statusCode(429).body("limit", equalTo("gpu-minutes-per-day"));
        // retrying one job of the run is held to the same limit
        given().when().post("/api/jobs/" + db.trainJob(second) + "/retry").then().statusCode(429)
                .body("limit", equalTo("gpu-minutes-per-day"));
        given().contentType("application/json").body("{}").when().post("/api/runs/" + run + "/rerun").then().statusCode(429)
                .body("limit", equalTo("gpu-minutes-per-day"));

        // a new UTC day: the attempt still running counts from midnight only
        clock.set("2031-03-11T00:00:20Z");
        status("gpu").body("gpuMinutesPerDay.used", equalTo(0.3f)).body("gpuMinutesPerDay.resetsAt", equalTo("2031-03-12T00:00:00Z"));
        QuotaFixtures.startOk(set);
        TestAccounts.operator().call(() -> given().when().get("/api/organiser/quotas").then().statusCode(200)
                .body("teams.team", hasItem("gpu")));
    }

    private static Duration minutes(long n) {
        return Duration.ofMinutes(n);
    }
}

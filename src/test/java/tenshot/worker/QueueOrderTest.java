package tenshot.worker;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tenshot.worker.TestWorkers.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
import tenshot.queue.QueueTestProfile;
import tenshot.studio.access.SignedInAsOperator;

/** Priority, round-robin between teams, and the positions and ETAs the API reports. */
@QuarkusTest
@TestProfile(QueueTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class QueueOrderTest extends QueueTestBase {

    private long enqueue(String team, int priority) {
        return queue.enqueue(NewJob.of("COUNT").run(5L).team(team).priority(priority)).await().indefinitely().id();
    }

    @Test
    void priorityFirstThenTeamsTakeTurnsAndPositionsAndEtasFollowThatOrder() {
        long a1 = enqueue("a", 0), a2 = enqueue("a", 0), a3 = enqueue("a", 0), a4 = enqueue("a", 0);
        long b1 = enqueue("b", 0), b2 = enqueue("b", 0);
        long urgent = enqueue("c", 10);
        List<Long> expected = List.of(urgent, a1, b1, a2, b2, a3, a4);

        JsonPath forecast = given().get("/api/queue").then().statusCode(200).extract().jsonPath();
        assertEquals(expected, forecast.getList("queued.id", Long.class));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), forecast.getList("queued.position", Integer.class));
        given().get("/api/jobs/{id}", b2).then().statusCode(200).body("position", org.hamcrest.Matchers.equalTo(5));
        // no history yet: positions are known, durations are not
        assertNull(given().get("/api/jobs/{id}", a1).then().extract().jsonPath().get("etaSeconds"));

        test.start("fair");
        await("all jobs to finish", Duration.ofSeconds(60), () -> queue.ofRun(5L).await().indefinitely().stream()
                .allMatch(j -> j.state() == JobState.SUCCEEDED));
        List<Long> claimed = new ArrayList<>();
        for (Row r : pool.query("SELECT job_id FROM job_attempt ORDER BY started_at, job_id").execute().await().indefinitely()) {
            claimed.add(r.getLong("job_id"));
        }
        assertEquals(expected, claimed, "claim order");
        test.stopAll();

        // team a was served last, so b goes first; with history, ETAs grow with the position
        long next1 = enqueue("a", 0), next2 = enqueue("b", 0), next3 = enqueue("a", 0);
        JsonPath later = given().get("/api/queue").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(next2, next1, next3), later.getList("queued.id", Long.class));
        assertNotNull(later.getMap("secondsByKind").get("COUNT"));
        List<Float> etas = later.getList("queued.etaSeconds", Float.class);
        assertEquals(3, etas.size());
        assertTrue(etas.get(0) > 0 && etas.get(0) < etas.get(1) && etas.get(1) < etas.get(2), "ETAs " + etas);
        assertEquals(0f, later.getList("queued.startsInSeconds", Float.class).get(0));
        given().get("/api/jobs/{id}", next3).then().body("position", org.hamcrest.Matchers.equalTo(3));
        given().get("/api/jobs?run=5&state=succeeded").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(7));
        given().get("/api/jobs?state=sleeping").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("unknown job state 'sleeping'"));
    }

    @Test
    void aRunningJobWithNoEtaYetAndNoHistoryStillGetsAForecast() {
        long running = enqueue("a", 0);
        long waiting = enqueue("a", 0);
        pool.preparedQuery("UPDATE job SET state = 'running', progress = '{}'::jsonb, lease_owner = 'elsewhere',"
                + " lease_expires_at = now() + interval '1 hour' WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(running)).await().indefinitely();
        given().get("/api/queue").then().statusCode(200).body("queued.id", org.hamcrest.Matchers.contains((int) waiting));
        given().get("/api/jobs?run=5").then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(2));
    }

    /**
     * A finished job of {@code team} whose one attempt ran from {@code startedAgo} to {@code endedAgo} (SQL
     * intervals). Use counts whatever the outcome; a lost lease keeps it out of the durations ETAs learn from.
     */
    private void pastWork(String team, String startedAgo, String endedAgo) {
        long id = enqueue(team, 0);
        pool.preparedQuery("UPDATE job SET state = 'succeeded', finished_at = now() WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).await().indefinitely();
        pool.preparedQuery("""
                        INSERT INTO job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome)
                        VALUES ($1, 1, 'past', now() - $2::text::interval, now() - $3::text::interval, 'lease_expired')""")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id, startedAgo, endedAgo)).await().indefinitely();
    }

    @Test
    void teamsThatUsedLessWorkerTimeLatelyGoFirstWhateverTheirLastClaim() {
        pastWork("heavy", "20 minutes", "10 minutes");   // 10 min in the 6 h window
        pastWork("light", "50 seconds", "20 seconds");   // 30 s: less than the 1 min quantum
        pastWork("old", "10 hours", "8 hours");          // outside the window: counts nothing
        pool.query("""
                INSERT INTO team_claim (team, last_claimed_at) VALUES
                    ('heavy', now() - interval '1 hour'), ('light', now() - interval '1 minute'), ('old', now())""")
                .execute().await().indefinitely();
        long h1 = enqueue("heavy", 0), h2 = enqueue("heavy", 0);
        long l1 = enqueue("light", 0), l2 = enqueue("light", 0);
        long o1 = enqueue("old", 0);
        // light and old are within one quantum of use, so they take turns (light was served longer ago);
        // heavy, served longest ago, waits for them: by last claim alone it would go first
        List<Long> expected = List.of(l1, o1, l2, h1, h2);
        assertEquals(expected, given().get("/api/queue").then().statusCode(200).extract().jsonPath()
                .getList("queued.id", Long.class));
        List<Long> claimed = new ArrayList<>();
        tenshot.queue.JobLeases leases = io.quarkus.arc.Arc.container().instance(tenshot.queue.JobLeases.class).get();
        for (int i = 0; i < expected.size(); i++) {
            tenshot.queue.Claim claim = leases.claim("fairness", java.util.Set.of("COUNT"), Duration.ofSeconds(30),
                    new tenshot.queue.GpuRouting(false, Duration.ofSeconds(10))).await().indefinitely().orElseThrow();
            claimed.add(claim.job().id());
            leases.succeed(claim.job().id(), "fairness", claim.attempt(), null).await().indefinitely();
        }
        assertEquals(expected, claimed, "claim order");
    }
}

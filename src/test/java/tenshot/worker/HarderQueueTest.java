package tenshot.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tenshot.worker.TestWorkers.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.queue.Claim;
import tenshot.queue.GpuRouting;
import tenshot.queue.JobAttempt;
import tenshot.queue.JobLeases;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** The progress watchdog, backoff after a lost lease, organisers' priorities, and failure kinds. */
@QuarkusTest
@TestProfile(WatchdogTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class HarderQueueTest extends QueueTestBase {

    private static final GpuRouting ROUTING = new GpuRouting(false, Duration.ofSeconds(10));

    @Inject JobLeases leases;

    @AfterEach
    void releaseHungHandlers() {
        HangingHandler.reset();
    }

    private double secondsUntilClaimable(long id) {
        Row row = pool.preparedQuery("SELECT extract(epoch FROM not_before - now())::float8 AS s FROM job WHERE id = $1")
                .execute(Tuple.of(id)).await().indefinitely().iterator().next();
        return row.getDouble("s");
    }

    @Test
    void aJobWhoseProgressStallsLosesItsLeaseAndAnotherWorkerFinishesIt() {
        long id = queue.enqueue(NewJob.of("HANG").team("a")).await().indefinitely().id();
        test.start("hangs");
        await("the first attempt to hang", Duration.ofSeconds(20),
                () -> queue.get(id).await().indefinitely().state() == JobState.RUNNING);
        // the hung worker keeps renewing its lease; only the watchdog (2 s without progress) takes the job back
        test.start("healthy");
        await("the watchdog to take the job back and the other worker to finish it", Duration.ofSeconds(30),
                () -> queue.get(id).await().indefinitely().state() == JobState.SUCCEEDED);
        List<JobAttempt> attempts = queue.attempts(id).await().indefinitely();
        assertEquals(2, attempts.size(), attempts.toString());
        assertEquals("hangs", attempts.get(0).workerId());
        assertEquals("stalled", attempts.get(0).outcome());
        assertTrue(attempts.get(0).reason().startsWith("no progress for PT2S on worker hangs"), attempts.get(0).reason());
        assertEquals("healthy", attempts.get(1).workerId());
        assertEquals("succeeded", attempts.get(1).outcome());
        // the hung engine comes back later: whatever it does is dropped, the job stays done
        HangingHandler.release();
        await("the hung worker to be idle again", Duration.ofSeconds(10), () -> test.started().get(0).currentJob().isEmpty());
        assertEquals(JobState.SUCCEEDED, queue.get(id).await().indefinitely().state());
        assertEquals(2, queue.attempts(id).await().indefinitely().size());
    }

    @Test
    void aJobWhoseLeaseExpiredWaitsOutAGrowingBackoff() throws Exception {
        long id = queue.enqueue(NewJob.of("COUNT").team("a")).await().indefinitely().id();
        for (int attempt = 1; attempt <= 2; attempt++) {
            while (secondsUntilClaimable(id) > -0.01) Thread.sleep(20);
            Claim claim = leases.claim("gone", Set.of("COUNT"), Duration.ofMillis(1), ROUTING).await().indefinitely().orElseThrow();
            assertEquals(attempt, claim.attempt());
            Thread.sleep(20);
            leases.reapExpired().await().indefinitely(); // or the application's reaper, whichever comes first
            await("the lease to be taken back", Duration.ofSeconds(5),
                    () -> queue.get(id).await().indefinitely().state() == JobState.QUEUED);
            // retry-backoff 200 ms, doubled per attempt: claimable 200 ms, then 400 ms after the take-back
            Row row = pool.preparedQuery("""
                            SELECT extract(epoch FROM j.not_before - a.finished_at)::float8 AS backoff, a.outcome
                              FROM job j JOIN job_attempt a ON a.job_id = j.id AND a.attempt = $2 WHERE j.id = $1""")
                    .execute(Tuple.of(id, attempt)).await().indefinitely().iterator().next();
            assertEquals("lease_expired", row.getString("outcome"));
            assertEquals(0.2 * (1 << (attempt - 1)), row.getDouble("backoff"), 1e-6, "backoff after attempt " + attempt);
        }
    }

    @Test
    void organisersSetPrioritiesAndMembersMayNot() {
        long first = queue.enqueue(NewJob.of("COUNT").run(9L).team("default")).await().indefinitely().id();
        long second = queue.enqueue(NewJob.of("COUNT").run(9L).team("default")).await().indefinitely().id();
        given().contentType("application/json").body("{\"priority\": 7}").put("/api/jobs/{id}/priority", second)
                .then().statusCode(200).body("priority", equalTo(7)).body("position", equalTo(1));
        given().get("/api/queue").then().statusCode(200).body("queued.id", equalTo(List.of((int) second, (int) first)));
        Claim claim = leases.claim("w", Set.of("COUNT"), Duration.ofSeconds(30), ROUTING).await().indefinitely().orElseThrow();
        assertEquals(second, claim.job().id());

        given().contentType("application/json").body("{\"priority\": \"high\"}").put("/api/jobs/{id}/priority", first)
                .then().statusCode(400).body("detail", containsString("{\"priority\": n}"));
        given().contentType("application/json").body("{\"priority\": 1}").put("/api/jobs/{id}/priority", 987654)
                .then().statusCode(404);
        TestAccounts.member("default").call(() -> given().contentType("application/json").body("{\"priority\": 9}")
                .put("/api/jobs/{id}/priority", first).then().statusCode(403));
        leases.succeed(second, "w", claim.attempt(), null).await().indefinitely();
        given().contentType("application/json").body("{\"priority\": 1}").put("/api/jobs/{id}/priority", second)
                .then().statusCode(409).body("detail", containsString("already succeeded"));
    }

    @Test
    void aFailureRecordsItsKindAndAnInputFailureIsNotRetried() {
        long bad = queue.enqueue(NewJob.of("FLAKY").team("a").maxAttempts(3)
                .payload(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("bad", true)))
                .await().indefinitely().id();
        long flaky = queue.enqueue(NewJob.of("FLAKY").team("a").maxAttempts(3)
                .payload(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("failures", 1)))
                .await().indefinitely().id();
        test.start("kinds");
        await("both jobs to end", Duration.ofSeconds(30), () -> queue.get(bad).await().indefinitely().state() == JobState.FAILED
                && queue.get(flaky).await().indefinitely().state() == JobState.SUCCEEDED);
        assertEquals(List.of("input"), failureKinds(bad));
        assertEquals(List.of("internal"), failureKinds(flaky));
    }

    private List<String> failureKinds(long id) {
        List<String> kinds = new java.util.ArrayList<>();
        for (Row r : pool.preparedQuery("SELECT failure_kind FROM job_attempt WHERE job_id = $1 AND outcome = 'failed' ORDER BY attempt")
                .execute(Tuple.of(id)).await().indefinitely()) {
            kinds.add(r.getString("failure_kind"));
        }
        return kinds;
    }
}

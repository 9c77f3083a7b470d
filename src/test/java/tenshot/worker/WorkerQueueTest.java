package tenshot.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tenshot.worker.TestWorkers.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.queue.Job;
import tenshot.queue.JobAttempt;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
import tenshot.queue.QueueTestProfile;
import tenshot.studio.access.SignedInAsOperator;

/** Real workers (threads of this JVM with distinct ids) against the real queue in PostgreSQL. */
@QuarkusTest
@TestProfile(QueueTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class WorkerQueueTest extends QueueTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ObjectNode payload(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Job job(long id) {
        return queue.get(id).await().indefinitely();
    }

    private List<JobAttempt> attempts(long id) {
        return queue.attempts(id).await().indefinitely();
    }

    @Test
    void concurrentWorkersRunEveryJobExactlyOnce() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            ids.add(queue.enqueue(NewJob.of("COUNT").run(1L).team(i % 2 == 0 ? "a" : "b")
                    .payload(payload("{\"steps\":2,\"stepMillis\":5}"))).await().indefinitely().id());
        }
        for (int w = 1; w <= 4; w++) test.start("conc-" + w);

        await("all jobs to succeed", WAIT, () -> queue.ofRun(1L).await().indefinitely().stream()
                .allMatch(j -> j.state() == JobState.SUCCEEDED));
        assertFalse(CountingHandler.OVERLAP.get(), "a job ran on two workers at once");
        Set<String> usedWorkers = new HashSet<>();
        for (long id : ids) {
            assertEquals(1, CountingHandler.STARTS.get(id).size(), "job " + id + " started " + CountingHandler.STARTS.get(id));
            assertEquals(2, CountingHandler.STEPS.get(id).get());
            List<JobAttempt> history = attempts(id);
            assertEquals(1, history.size());
            assertEquals("succeeded", history.get(0).outcome());
            usedWorkers.add(history.get(0).workerId());
        }
        assertTrue(usedWorkers.size() > 1, "work was shared, used: " + usedWorkers);
    }

    @Test
    void killedWorkerLosesNothingAndTheJobResumesElsewhereFromItsCheckpoint() {
        Worker doomed = test.start("doomed");
        long id = queue.enqueue(NewJob.of("COUNT").run(2L)
                .payload(payload("{\"steps\":20,\"stepMillis\":60}"))).await().indefinitely().id();
        await("a checkpoint past step 4", WAIT, () -> {
            String c = job(id).checkpoint();
            return c != null && Integer.parseInt(c.substring(5)) >= 4;
        });
        doomed.halt();
        int stepsBeforeKill = CountingHandler.STEPS.get(id).get();
        test.start("rescuer");

        await("the job to succeed on the rescuer", WAIT, () -> job(id).state() == JobState.SUCCEEDED);
        Job done = job(id);
        assertFalse(CountingHandler.OVERLAP.get());
        assertEquals(2, done.attempts(), "the expired lease counts as an attempt");
        List<JobAttempt> history = attempts(id);
        assertEquals("doomed", history.get(0).workerId());
        assertEquals("lease_expired", history.get(0).outcome());
        assertEquals("lease expired on worker doomed", history.get(0).reason());
        assertEquals("rescuer", history.get(1).workerId());
        assertEquals("succeeded", history.get(1).outcome());
        int resumedFrom = done.result().get("resumedFrom").asInt();
        assertTrue(resumedFrom >= 4, "resumed from checkpoint step " + resumedFrom);
        // every step ran at least once, and at most the step in flight at the kill ran twice
        int total = CountingHandler.STEPS.get(id).get();
        assertTrue(total >= 20 && total <= 21, "steps run in total: " + total + " (before kill " + stepsBeforeKill + ")");

        given().get("/api/workers").then().statusCode(200)
                .body("find { it.id == 'doomed' }.status", equalTo("lost"))
                .body("find { it.id == 'rescuer' }.status", equalTo("idle"));
    }

    @Test
    void failuresAreRetriedWithBackoffAndEveryReasonIsKept() {
        long flaky = queue.enqueue(NewJob.of("FLAKY").payload(payload("{\"failures\":2}")).maxAttempts(3))
                .await().indefinitely().id();
        long hopeless = queue.enqueue(NewJob.of("FLAKY").payload(payload("{\"failures\":9}")).maxAttempts(2))
                .await().indefinitely().id();
        long after = queue.enqueue(NewJob.of("COUNT").dependsOn(hopeless)).await().indefinitely().id();
        long bad = queue.enqueue(NewJob.of("FLAKY").payload(payload("{\"bad\":true}"))).await().indefinitely().id();
        test.start("retrier");

        await("the flaky job to succeed", WAIT, () -> job(flaky).state() == JobState.SUCCEEDED);
        List<JobAttempt> history = attempts(flaky);
        assertEquals(3, history.size());
        assertEquals("IllegalStateException: boom 1", history.get(0).reason());
        assertEquals("IllegalStateException: boom 2", history.get(1).reason());
        assertEquals("succeeded", history.get(2).outcome());
        // backoff 200 ms, then 400 ms
        assertTrue(Duration.between(history.get(0).finishedAt(), history.get(1).startedAt()).toMillis() >= 190);
        assertTrue(Duration.between(history.get(1).finishedAt(), history.get(2).startedAt()).toMillis() >= 390);

        await("the hopeless job to fail", WAIT, () -> job(hopeless).state() == JobState.FAILED);
        assertEquals("IllegalStateException: boom 2", job(hopeless).error());
        assertEquals(JobState.CANCELLED, job(after).state());
        assertTrue(job(after).cancelReason().contains("dependency job " + hopeless + " (FLAKY) failed"));

        await("the bad job to fail", WAIT, () -> job(bad).state() == JobState.FAILED);
        assertEquals(1, attempts(bad).size(), "a permanent failure is not retried");
        assertEquals("payload field 'bad' is set", job(bad).error());
    }

    @Test
    void cancelStopsAQueuedJobAtOnceAndARunningOneAtItsNextStep() {
        long running = queue.enqueue(NewJob.of("COUNT").payload(payload("{\"steps\":80,\"stepMillis\":30}")))
                .await().indefinitely().id();
        long waiting = queue.enqueue(NewJob.of("COUNT").dependsOn(running)).await().indefinitely().id();
        long queued = queue.enqueue(NewJob.of("COUNT").priority(-5)).await().indefinitely().id();

        given().contentType("application/json").body("{\"reason\":\"not needed\"}")
                .post("/api/jobs/{id}/cancel", queued).then().statusCode(200)
                .body("state", equalTo("cancelled")).body("cancelReason", equalTo("not needed"));

        test.start("canceller");
        await("the long job to run a few steps", WAIT,
                () -> CountingHandler.STEPS.containsKey(running) && CountingHandler.STEPS.get(running).get() >= 3);
        given().post("/api/jobs/{id}/cancel", running).then().statusCode(200)
                .body("state", equalTo("running")).body("cancelRequested", equalTo(true));
        await("the running job to stop", WAIT, () -> job(running).state() == JobState.CANCELLED);
        assertTrue(CountingHandler.STEPS.get(running).get() < 80);
        assertEquals("cancelled", attempts(running).get(0).outcome());
        assertEquals("cancelled by user", attempts(running).get(0).reason());
        assertEquals(JobState.CANCELLED, job(waiting).state());

        given().post("/api/jobs/{id}/cancel", running).then().statusCode(200).body("state", equalTo("cancelled"));
        given().post("/api/jobs/{id}/retry", 987654).then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("job 987654 does not exist"));
        // retrying the dependent brings back the cancelled job it waits for
        given().post("/api/jobs/{id}/retry", waiting).then().statusCode(200).body("state", equalTo("queued"));
        assertTrue(job(running).state() == JobState.QUEUED || job(running).state() == JobState.RUNNING);
        await("the retried chain to finish", WAIT, () -> job(waiting).state() == JobState.SUCCEEDED);
        assertEquals(JobState.SUCCEEDED, job(running).state());
        assertTrue(job(running).result().get("resumedFrom").asInt() >= 3, "the retry resumed from its checkpoint");
    }

    @Test
    void aStoppingWorkerGivesItsJobBackWithoutSpendingAnAttempt() throws Exception {
        Worker leaving = test.start("leaving");
        long id = queue.enqueue(NewJob.of("COUNT").payload(payload("{\"steps\":100,\"stepMillis\":30}")).maxAttempts(1))
                .await().indefinitely().id();
        await("the job to start", WAIT, () -> CountingHandler.STEPS.containsKey(id));
        leaving.stop();
        Job released = job(id);
        assertEquals(JobState.QUEUED, released.state());
        assertEquals(0, released.attempts());
        assertEquals("released", attempts(id).get(0).outcome());
        assertEquals("worker leaving stopped", attempts(id).get(0).reason());
        given().get("/api/workers").then().body("find { it.id == 'leaving' }.status", equalTo("stopped"));

        test.start("staying");
        await("the job to finish elsewhere", WAIT, () -> job(id).state() == JobState.SUCCEEDED);
        assertNotNull(job(id).result());
    }
}

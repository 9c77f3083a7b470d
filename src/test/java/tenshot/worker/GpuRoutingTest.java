package tenshot.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tenshot.worker.TestWorkers.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.queue.GpuRouting;
import tenshot.queue.JobLeases;
import tenshot.queue.JobState;
import tenshot.queue.Needs;
import tenshot.queue.NewJob;
import tenshot.queue.QueueTestProfile;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/**
 * Jobs that need a GPU go to GPU workers; a CPU worker takes them only while no GPU worker that runs
 * their kind answers, or when configured to. GPU workers on other hosts are rows of the worker table,
 * as they would be; the CPU worker is a real one of this JVM.
 */
@QuarkusTest
@TestProfile(QueueTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class GpuRoutingTest extends QueueTestBase {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final GpuRouting STRICT = new GpuRouting(false, Duration.ofSeconds(10));

    @Inject JobLeases leases;
    @Inject WorkerRegistry registry;

    private long enqueue(String team, Needs needs) {
        return queue.enqueue(NewJob.of("COUNT").run(7L).team(team).needs(needs)).await().indefinitely().id();
    }

    private Optional<Long> claim(String worker, GpuRouting routing) {
        return leases.claim(worker, Set.of("COUNT"), LEASE, routing).await().indefinitely().map(c -> c.job().id());
    }

    private void registerGpuWorker(String id, String... kinds) {
        registry.register(id, "gpu-host", "cuda:0", true, List.of(kinds)).await().indefinitely();
        registry.heartbeat(id, Optional.of(new WorkerRegistry.Memory(60L << 30, 80L << 30))).await().indefinitely();
    }

    @Test
    void aCpuWorkerLeavesGpuJobsToTheGpuWorkersThatAnswer() {
        registry.register("cpu-1", "cpu-host", "cpu", false, List.of("COUNT")).await().indefinitely();
        long gpuJob = enqueue("a", Needs.GPU);
        long anyJob = enqueue("a", Needs.ANY);

        // no GPU worker: the single-machine default, the CPU worker takes the older GPU job first
        assertEquals(Optional.of(gpuJob), claim("cpu-1", STRICT));
        pool.preparedQuery("UPDATE job SET state = 'queued', lease_owner = NULL, attempts = 0 WHERE id = $1")
                .execute(Tuple.of(gpuJob)).await().indefinitely();

        // a GPU worker for another kind does not count
        registerGpuWorker("gpu-other", "SCORE");
        assertEquals(Optional.of(gpuJob), claim("cpu-1", STRICT));
        pool.preparedQuery("UPDATE job SET state = 'queued', lease_owner = NULL, attempts = 0 WHERE id = $1")
                .execute(Tuple.of(gpuJob)).await().indefinitely();

        // a GPU worker that runs COUNT answers: the CPU worker skips the GPU job
        registerGpuWorker("gpu-1", "COUNT");
        assertEquals(Optional.of(anyJob), claim("cpu-1", STRICT));
        assertEquals(Optional.empty(), claim("cpu-1", STRICT));
        // unless configured to take GPU jobs anyway
        long second = enqueue("a", Needs.GPU);
        assertEquals(Optional.of(gpuJob), claim("cpu-1", new GpuRouting(true, STRICT.lostAfter())));
        // the GPU worker takes GPU jobs
        assertEquals(Optional.of(second), claim("gpu-1", STRICT));

        // once the GPU worker stops answering, the CPU worker takes GPU jobs again
        long third = enqueue("a", Needs.GPU);
        assertEquals(Optional.empty(), claim("cpu-1", STRICT));
        pool.query("UPDATE worker SET last_heartbeat = now() - interval '1 hour' WHERE gpu").execute().await().indefinitely();
        assertEquals(Optional.of(third), claim("cpu-1", STRICT));
    }

    @Test
    void aGpuWorkerTakesGpuJobsFirstWhileACpuWorkerCanRunTheOthers() {
        registerGpuWorker("gpu-1", "COUNT");
        long olderAny = enqueue("a", Needs.ANY);
        long gpuJob = enqueue("a", Needs.GPU);

        // no CPU worker answers: the GPU worker keeps the plain order (oldest first), or a GPU-only host
        // would never assemble while GPU work keeps coming
        assertEquals(Optional.of(olderAny), claim("gpu-1", STRICT));
        requeue(olderAny);

        // a CPU worker for another kind does not count
        registry.register("cpu-other", "cpu-host", "cpu", false, List.of("SCORE")).await().indefinitely();
        assertEquals(Optional.of(olderAny), claim("gpu-1", STRICT));
        requeue(olderAny);

        // a CPU worker that runs COUNT answers: the GPU worker takes the newer GPU job first
        registry.register("cpu-1", "cpu-host", "cpu", false, List.of("COUNT")).await().indefinitely();
        assertEquals(Optional.of(gpuJob), claim("gpu-1", STRICT));
        assertEquals(Optional.of(olderAny), claim("cpu-1", STRICT));

        // with no GPU job ready, the GPU worker still takes the rest
        long laterAny = enqueue("a", Needs.ANY);
        assertEquals(Optional.of(laterAny), claim("gpu-1", STRICT));

        // an organiser's priority still comes first
        long urgentAny = queue.enqueue(NewJob.of("COUNT").run(7L).team("a").priority(5)).await().indefinitely().id();
        long secondGpu = enqueue("a", Needs.GPU);
        assertEquals(Optional.of(urgentAny), claim("gpu-1", STRICT));
        assertEquals(Optional.of(secondGpu), claim("gpu-1", STRICT));

        // once the CPU worker stops answering, the plain order is back
        long anyAgain = enqueue("a", Needs.ANY);
        long gpuAgain = enqueue("a", Needs.GPU);
        pool.query("UPDATE worker SET last_heartbeat = now() - interval '1 hour' WHERE NOT gpu").execute().await().indefinitely();
        assertEquals(Optional.of(anyAgain), claim("gpu-1", STRICT));
        assertEquals(Optional.of(gpuAgain), claim("gpu-1", STRICT));
    }

    private void requeue(long job) {
        pool.preparedQuery("UPDATE job SET state = 'queued', lease_owner = NULL, attempts = 0 WHERE id = $1")
                .execute(Tuple.of(job)).await().indefinitely();
    }

    @Test
    void aRealCpuWorkerRunsOnlyWhatItMayAndThePanelShowsDevicesAndHidesOtherTeamsJobs() {
        registerGpuWorker("gpu-remote", "COUNT");
        // the remote worker answers as a live one does, however slowly this machine gets to the checks
        ScheduledExecutorService remote = Executors.newSingleThreadScheduledExecutor();
        remote.scheduleWithFixedDelay(() -> registry.heartbeat("gpu-remote", Optional.of(new WorkerRegistry.Memory(60L << 30, 80L << 30)))
                .await().indefinitely(), 300, 300, TimeUnit.MILLISECONDS);
        long gpuJob;
        try {
            gpuJob = runsOnlyWhatItMay();
        } finally {
            remote.shutdownNow();
        }
        // the GPU worker leaves: the local CPU worker picks the GPU job up
        pool.query("UPDATE worker SET stopped_at = now(), current_job = NULL WHERE id = 'gpu-remote'").execute().await().indefinitely();
        await("the CPU worker to take the GPU job once no GPU worker answers", Duration.ofSeconds(30),
                () -> queue.get(gpuJob).await().indefinitely().state() == JobState.SUCCEEDED);
        assertTrue(queue.attempts(gpuJob).await().indefinitely().stream().allMatch(a -> a.workerId().equals("cpu-local")));
    }

    /** Returns the GPU job, still queued. */
    private long runsOnlyWhatItMay() {
        long gpuJob = enqueue("a", Needs.GPU);
        long anyJob = enqueue("other-team", Needs.ANY);
        // the job stays "running" on the remote GPU worker, so the panel shows it busy
        pool.preparedQuery("UPDATE worker SET current_job = $1 WHERE id = 'gpu-remote'")
                .execute(Tuple.of(anyJob)).await().indefinitely();

        test.start("cpu-local");
        await("the CPU worker to run the job any device may run", Duration.ofSeconds(30),
                () -> queue.get(anyJob).await().indefinitely().state() == JobState.SUCCEEDED);
        // the worker polls every 200 ms: ten polls later the GPU job is still waiting for a GPU
        sleep(Duration.ofSeconds(2));
        assertEquals(JobState.QUEUED, queue.get(gpuJob).await().indefinitely().state());
        pool.preparedQuery("UPDATE worker SET current_job = $1 WHERE id = 'gpu-remote'")
                .execute(Tuple.of(anyJob)).await().indefinitely();

        given().get("/api/workers").then().statusCode(200)
                .body("find { it.id == 'gpu-remote' }.device", equalTo("cuda:0"))
                .body("find { it.id == 'gpu-remote' }.gpu", equalTo(true))
                .body("find { it.id == 'gpu-remote' }.memoryFree", equalTo(60L << 30))
                .body("find { it.id == 'gpu-remote' }.currentJob", equalTo((int) anyJob))
                .body("find { it.id == 'gpu-remote' }.team", equalTo("other-team"))
                .body("find { it.id == 'cpu-local' }.device", equalTo("cpu"))
                .body("find { it.id == 'cpu-local' }.gpu", equalTo(false))
                .body("find { it.id == 'cpu-local' }.memoryFree", nullValue());
        // a member of another team sees the worker busy, but not with which job or run
        TestAccounts.member("routing-b").call(() -> given().get("/api/workers").then().statusCode(200)
                .body("find { it.id == 'gpu-remote' }.status", equalTo("busy"))
                .body("find { it.id == 'gpu-remote' }.currentJob", nullValue())
                .body("find { it.id == 'gpu-remote' }.runId", nullValue())
                .body("find { it.id == 'gpu-remote' }.device", equalTo("cuda:0")));
        return gpuJob;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

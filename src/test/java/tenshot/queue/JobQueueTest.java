package tenshot.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(QueueTestProfile.class)
class JobQueueTest {

    @Inject JobQueue queue;
    @Inject JobLeases leases;
    @Inject Pool pool;

    @BeforeEach
    void clear() {
        QueueTables.clear(pool);
    }

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final GpuRouting ROUTING = new GpuRouting(false, Duration.ofSeconds(30));

    @Test
    void sameDedupeKeyGivesTheSameJob() throws Exception {
        var payload = new ObjectMapper().readTree("{\"prompt\":\"a dog\",\"images\":200}");
        Job first = queue.enqueue(NewJob.of("PRIOR_IMAGES").run(1L).team("a").payload(payload).dedupeKey("prior:dog:200"))
                .await().indefinitely();
        Job second = queue.enqueue(NewJob.of("PRIOR_IMAGES").run(2L).team("b").dedupeKey("prior:dog:200"))
                .await().indefinitely();
        assertEquals(first.id(), second.id());
        assertEquals(1L, second.runId());
        assertEquals(200, second.payload().get("images").asInt());
        assertEquals(JobState.QUEUED, second.state());
    }

    @Test
    void dependentsWaitForSuccessAndAreCancelledWhenADependencyFails() {
        Job prior = queue.enqueue(NewJob.of("A").maxAttempts(1)).await().indefinitely();
        Job train = queue.enqueue(NewJob.of("B").dependsOn(prior.id())).await().indefinitely();
        Job generate = queue.enqueue(NewJob.of("C").dependsOn(train.id())).await().indefinitely();
        assertEquals(1, train.pendingDeps());
        assertEquals(List.of(prior.id()), train.dependsOn());

        // only A is claimable
        Claim claim = leases.claim("w1", Set.of("A", "B", "C"), LEASE, ROUTING).await().indefinitely().orElseThrow();
        assertEquals(prior.id(), claim.job().id());
        assertTrue(leases.claim("w1", Set.of("A", "B", "C"), LEASE, ROUTING).await().indefinitely().isEmpty());

        leases.fail(prior.id(), "w1", claim.attempt(), "out of memory", null, FailureKind.INTERNAL).await().indefinitely();
        Job failed = queue.get(prior.id()).await().indefinitely();
        assertEquals(JobState.FAILED, failed.state(), "one attempt allowed");
        Job b = queue.get(train.id()).await().indefinitely();
        Job c = queue.get(generate.id()).await().indefinitely();
        assertEquals(JobState.CANCELLED, b.state());
        assertEquals(JobState.CANCELLED, c.state());
        assertTrue(b.cancelReason().contains("dependency job " + prior.id() + " (A) failed: out of memory"), b.cancelReason());

        // a new job that depends on the failed one is born cancelled
        Job late = queue.enqueue(NewJob.of("B").dependsOn(prior.id())).await().indefinitely();
        assertEquals(JobState.CANCELLED, late.state());

        // retry brings the failed job and the chain that waited for it back
        Job retried = queue.retry(prior.id()).await().indefinitely();
        assertEquals(JobState.QUEUED, retried.state());
        assertEquals(0, retried.attempts());
        assertNull(retried.error());
        assertEquals(JobState.QUEUED, queue.get(generate.id()).await().indefinitely().state());
        assertEquals(1, queue.get(train.id()).await().indefinitely().pendingDeps());

        Claim again = leases.claim("w1", Set.of("A", "B", "C"), LEASE, ROUTING).await().indefinitely().orElseThrow();
        assertEquals(prior.id(), again.job().id());
        assertEquals(2, again.attempt(), "attempt numbers continue over retries");
        leases.succeed(prior.id(), "w1", again.attempt(), "{\"images\":3}").await().indefinitely();
        assertEquals(0, queue.get(train.id()).await().indefinitely().pendingDeps());
        Claim next = leases.claim("w1", Set.of("A", "B", "C"), LEASE, ROUTING).await().indefinitely().orElseThrow();
        assertTrue(next.job().id() == train.id() || next.job().id() == late.id());
    }

    @Test
    void unknownDependencyIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> queue.enqueue(NewJob.of("A").dependsOn(987654L)).await().indefinitely());
        assertTrue(e.getMessage().contains("987654"), e.getMessage());
    }

    @Test
    void cancellingFinishedJobIsAConflict() {
        Job job = queue.enqueue(NewJob.of("A")).await().indefinitely();
        Claim claim = leases.claim("w1", Set.of("A"), LEASE, ROUTING).await().indefinitely().orElseThrow();
        leases.succeed(job.id(), "w1", claim.attempt(), null).await().indefinitely();
        assertThrows(JobStateConflict.class, () -> queue.cancel(job.id(), null).await().indefinitely());
        assertThrows(JobStateConflict.class, () -> queue.retry(job.id()).await().indefinitely());
    }

    @Test
    void cancellingARunLeavesTheSharedJobAnotherRunWaitsFor() {
        Job prior = queue.enqueue(NewJob.of("PRIOR").run(1L).dedupeKey("prior:x")).await().indefinitely();
        Job train1 = queue.enqueue(NewJob.of("TRAIN").run(1L).dependsOn(prior.id())).await().indefinitely();
        Job shared = queue.enqueue(NewJob.of("PRIOR").run(2L).dedupeKey("prior:x")).await().indefinitely();
        assertEquals(prior.id(), shared.id());
        Job train2 = queue.enqueue(NewJob.of("TRAIN").run(2L).dependsOn(shared.id())).await().indefinitely();

        assertEquals(1, queue.cancelRun(1L, "stop run 1").await().indefinitely());
        assertEquals(JobState.CANCELLED, queue.get(train1.id()).await().indefinitely().state());
        assertEquals(JobState.QUEUED, queue.get(prior.id()).await().indefinitely().state(), "run 2 still needs it");
        assertEquals(JobState.QUEUED, queue.get(train2.id()).await().indefinitely().state());

        // once nobody else waits for it, cancelling the run takes the shared job too
        assertEquals(1, queue.cancelRun(2L, null).await().indefinitely());
        assertEquals(1, queue.cancelRun(1L, null).await().indefinitely());
        assertEquals(JobState.CANCELLED, queue.get(prior.id()).await().indefinitely().state());
        // retrying run 2 brings back the shared job it waits for
        assertEquals(2, queue.retryRun(2L).await().indefinitely());
        assertEquals(JobState.QUEUED, queue.get(prior.id()).await().indefinitely().state());
        assertEquals(JobState.QUEUED, queue.get(train2.id()).await().indefinitely().state());
        assertEquals(JobState.CANCELLED, queue.get(train1.id()).await().indefinitely().state());
    }

    @Test
    void aSharedJobQueuedAgainDoesNotBringBackTheCancelledRunsThatWaitedForIt() {
        Job prior = queue.enqueue(NewJob.of("PRIOR").run(1L).dedupeKey("prior:y")).await().indefinitely();
        Job train1 = queue.enqueue(NewJob.of("TRAIN").run(1L).dependsOn(prior.id())).await().indefinitely();
        assertEquals(2, queue.cancelRun(1L, "stop run 1").await().indefinitely());

        // run 2 needs the same prior images: the job runs again, run 1 stays cancelled
        Job shared = queue.enqueue(NewJob.of("PRIOR").run(2L).dedupeKey("prior:y")).await().indefinitely();
        assertEquals(prior.id(), shared.id());
        assertEquals(JobState.QUEUED, shared.state());
        assertEquals(JobState.CANCELLED, queue.get(train1.id()).await().indefinitely().state());
        Job train2 = queue.enqueue(NewJob.of("TRAIN").run(2L).dependsOn(shared.id())).await().indefinitely();

        // run 2 cancelled by its owner stays cancelled when run 1, which holds the shared job, is retried
        assertEquals(1, queue.cancelRun(2L, "stop run 2").await().indefinitely());
        assertEquals(1, queue.cancelRun(1L, null).await().indefinitely());
        assertEquals(2, queue.retryRun(1L).await().indefinitely());
        assertEquals(JobState.QUEUED, queue.get(train1.id()).await().indefinitely().state());
        assertEquals(JobState.CANCELLED, queue.get(train2.id()).await().indefinitely().state());

        // retrying one job still brings back its own run's jobs that were cancelled because they waited
        assertEquals(2, queue.cancelRun(1L, null).await().indefinitely());
        assertEquals(JobState.QUEUED, queue.retry(prior.id()).await().indefinitely().state());
        assertEquals(JobState.QUEUED, queue.get(train1.id()).await().indefinitely().state());
        assertEquals(JobState.CANCELLED, queue.get(train2.id()).await().indefinitely().state());
    }
}

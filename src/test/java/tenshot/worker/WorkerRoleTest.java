package tenshot.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.queue.JobQueue;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;

/** A worker-only process: its configured worker registers and runs jobs; the studio API is refused. */
@QuarkusTest
@TestProfile(WorkerRoleTest.WorkerRole.class)
class WorkerRoleTest {

    public static class WorkerRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.role", "worker", "tenshot.worker.id", "solo", "tenshot.worker.device", "cpu",
                    "tenshot.worker.lease", "2s", "tenshot.worker.heartbeat", "300ms", "tenshot.worker.poll", "200ms");
        }
    }

    @Inject Pool pool;
    @Inject JobQueue queue;
    @Inject Workers workers;

    @Test
    void workerRoleRunsJobsAndServesNoStudio() {
        assertEquals(1, workers.local().size());
        assertEquals("solo", workers.local().get(0).id());
        Row row = pool.query("SELECT device, stopped_at IS NULL AS alive FROM worker WHERE id = 'solo'")
                .execute().await().indefinitely().iterator().next();
        assertEquals("cpu", row.getString("device"));
        assertEquals(true, row.getBoolean("alive"));

        long id = queue.enqueue(NewJob.of("COUNT").team("solo-team")).await().indefinitely().id();
        TestWorkers.await("the solo worker to run the job", Duration.ofSeconds(60),
                () -> queue.get(id).await().indefinitely().state() == JobState.SUCCEEDED);

        given().get("/api/jobs").then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("tenshot.role=worker"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/events"));
        given().get("/api/workers").then().statusCode(503).body("status", equalTo(503));
    }
}

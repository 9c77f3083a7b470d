package tenshot.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tenshot.worker.TestWorkers.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tenshot.queue.GpuRouting;
import tenshot.queue.JobLeases;
import tenshot.queue.JobState;
import tenshot.queue.NewJob;
import tenshot.queue.QueueTestProfile;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.TestAccounts;
import tenshot.worker.QueueTestBase;

/**
 * /q/health (database, artifact store, workers) and /q/metrics (Prometheus), both public: probes and
 * scrapers carry no session. Everything measured is real: jobs run by a worker of this JVM, a lease
 * that really expires, an event stream really open.
 */
@QuarkusTest
@TestProfile(QueueTestProfile.class)
class HealthAndMetricsTest extends QueueTestBase {

    @Inject JobLeases leases;
    @Inject QueueDepthGauges depths;

    @TestHTTPResource("/api/events")
    URL events;

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first sample of {@code name} with all {@code labels}; NaN when there is none. */
    private static double sample(String text, String name, String... labels) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
            if (Stream.of(labels).allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static double zeroIfAbsent(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    @Test
    void healthChecksTheDatabaseTheStoreAndTheWorkersWithoutSigningIn() {
        test.start("healthy");
        await("the worker's first heartbeat", Duration.ofSeconds(10),
                () -> test.started().get(0).lastHeartbeat().isPresent());
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'artifact store' }.status", equalTo("UP"))
                .body("checks.findAll { it.name.contains('PostgreSQL') }.status", hasItem("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'workers' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'workers' }.data.healthy", containsString("cpu"))
                .body("checks.find { it.name == 'workers' }.data.healthy", containsString("heartbeat"));
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsCountTheQueueAttemptsExpiriesAndEventStreams() throws Exception {
        String before = metrics();
        double succeededBefore = zeroIfAbsent(sample(before, "tenshot_job_attempts_total", "kind=\"COUNT\"", "outcome=\"succeeded\""));
        double expiredBefore = zeroIfAbsent(sample(before, "tenshot_queue_taken_back_total", "kind=\"FLAKY\"", "why=\"lease_expired\""));

        queue.enqueue(NewJob.of("COUNT").team("m")).await().indefinitely();
        queue.enqueue(NewJob.of("COUNT").team("m")).await().indefinitely();
        queue.enqueue(NewJob.of("FLAKY").team("m")).await().indefinitely();
        depths.refresh();
        String queued = metrics();
        assertEquals(2.0, sample(queued, "tenshot_queue_jobs", "kind=\"COUNT\"", "state=\"queued\""), queued);
        assertEquals(1.0, sample(queued, "tenshot_queue_jobs", "kind=\"FLAKY\"", "state=\"queued\""), queued);
        assertEquals(0.0, sample(queued, "tenshot_queue_jobs", "kind=\"COUNT\"", "state=\"running\""), queued);

        // a lease that expires: claimed by a worker that never comes back, for long enough that the reaper
        // cannot take it back before the running gauge is read (with 1 ms it sometimes did, in CI)
        leases.claim("gone", Set.of("FLAKY"), Duration.ofSeconds(3), new GpuRouting(false, Duration.ofSeconds(10)))
                .await().indefinitely().orElseThrow();
        depths.refresh();
        assertEquals(1.0, sample(metrics(), "tenshot_queue_jobs", "kind=\"FLAKY\"", "state=\"running\""));
        test.start("measured");
        await("all three jobs to succeed", Duration.ofSeconds(30),
                () -> queue.list(null, "m", JobState.SUCCEEDED, 10).await().indefinitely().size() == 3);
        depths.refresh();
        String after = metrics();
        assertEquals(succeededBefore + 2, sample(after, "tenshot_job_attempts_total", "kind=\"COUNT\"", "outcome=\"succeeded\""), after);
        assertTrue(sample(after, "tenshot_job_duration_seconds_count", "kind=\"COUNT\"", "outcome=\"succeeded\"") >= 2, after);
        assertEquals(expiredBefore + 1, sample(after, "tenshot_queue_taken_back_total", "kind=\"FLAKY\"", "why=\"lease_expired\""), after);
        assertEquals(0.0, sample(after, "tenshot_queue_jobs", "kind=\"COUNT\"", "state=\"queued\""), after);

        // an open event stream counts while it is open
        double streamsBefore = sample(after, "tenshot_sse_clients");
        TestAccounts.Session operator = TestAccounts.operator();
        HttpResponse<Stream<String>> open = HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create(events.toString())).header("Accept", "text/event-stream")
                                .header("Cookie", SessionCookies.SESSION + "=" + operator.cookie()).build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(30, TimeUnit.SECONDS);
        assertEquals(200, open.statusCode());
        await("the stream to count", Duration.ofSeconds(10), () -> sample(metrics(), "tenshot_sse_clients") == streamsBefore + 1);
        open.body().close();
        await("the closed stream to stop counting", Duration.ofSeconds(30),
                () -> sample(metrics(), "tenshot_sse_clients") == streamsBefore);

        // a GPU worker's memory gauges exist from its creation (NaN until a heartbeat reads the card)
        workers.create("gpu-gauge", "cuda:3");
        String gpu = metrics();
        assertTrue(Pattern.compile("tenshot_worker_gpu_memory_free_bytes\\{[^}]*device=\"cuda:3\"[^}]*worker=\"gpu-gauge\"[^}]*} NaN")
                .matcher(gpu).find(), gpu);
    }
}

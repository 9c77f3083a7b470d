package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.ChildProcesses.Child;

/**
 * Load: one worker process runs a run while {@code tenshot.reliability.sse-clients} SSE clients follow it
 * and {@code tenshot.reliability.pollers} clients each ask the API process for the run every
 * {@code tenshot.reliability.poll-ms}. Latencies are measured in this JVM (closed loop per client) for as
 * long as the run's jobs run, at most {@code tenshot.reliability.load-seconds}; the 99th percentile must
 * be under 200 ms. The run trains long enough to fill that window ({@code tenshot.reliability.load-train-steps}),
 * and the first {@code tenshot.reliability.load-warmup-seconds} of polling are not counted: they time the freshly
 * started API process compiling its request path, not the API under load.
 */
@QuarkusTest
@TestProfile(ApiRestartSseIT.NoWorkerHere.class)
@Tag("reliability")
class ApiLoadIT {

    private static final int SSE_CLIENTS = Integer.getInteger("tenshot.reliability.sse-clients", 50);
    private static final int POLLERS = Integer.getInteger("tenshot.reliability.pollers", 20);
    private static final int POLL_MS = Integer.getInteger("tenshot.reliability.poll-ms", 250);
    private static final int SECONDS = Integer.getInteger("tenshot.reliability.load-seconds", 60);
    private static final int TRAIN_STEPS = Integer.getInteger("tenshot.reliability.load-train-steps", 500);
    private static final int WARMUP_SECONDS = Integer.getInteger("tenshot.reliability.load-warmup-seconds", 5);
    private static final long P99_LIMIT_MS = 200;

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    @Test
    void theApisP99LatencyStaysUnder200MsWhileAJobRuns() throws Exception {
        Figures figures = new Figures("api-load");
        TestAccounts.Session member = TestAccounts.member("load");
        try (Deployment deployment = new Deployment("load", dbUrl)) {
            Child worker = deployment.startWorker("load-worker");
            deployment.startApi(member);
            long run = deployment.startRun(member, "load", TRAIN_STEPS);
            URI events = deployment.base().resolve("/api/events?run=" + run);
            List<SseClient> followers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < SSE_CLIENTS; i++) {
                SseClient client = new SseClient(events, member, Duration.ofMinutes(20));
                followers.add(client);
                Thread thread = new Thread(client, "sse-" + i);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            deployment.awaitRunning(member, run, "TRAIN", worker);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest poll = HttpRequest.newBuilder(deployment.base().resolve("/api/runs/" + run)).timeout(Duration.ofSeconds(10))
                    .header("Cookie", SessionCookies.SESSION + "=" + member.cookie()).build();
            ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
            AtomicInteger errors = new AtomicInteger();
            long started = System.nanoTime() + Duration.ofSeconds(WARMUP_SECONDS).toNanos();
            long end = started + Duration.ofSeconds(SECONDS).toNanos();
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            List<Thread> pollers = new ArrayList<>();
            for (int i = 0; i < POLLERS; i++) {
                Thread poller = new Thread(() -> {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        try {
                            HttpResponse<String> answer = http.send(poll, HttpResponse.BodyHandlers.ofString());
                            if (answer.statusCode() != 200) errors.incrementAndGet();
                            if (sent >= started) latenciesMicros.add((System.nanoTime() - sent) / 1000);
                            Thread.sleep(POLL_MS);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception failed) {
                            errors.incrementAndGet();
                            latenciesMicros.add((System.nanoTime() - sent) / 1000);
                        }
                    }
                }, "poller-" + i);
                poller.start();
                pollers.add(poller);
            }
            // measure only while the run's jobs run
            while (System.nanoTime() < end && deployment.runStatus(member, run).equals("RUNNING")) Thread.sleep(500);
            assertTrue(System.nanoTime() > started, "the run ended during the warm-up; raise tenshot.reliability.load-train-steps");
            long measuredMs = (System.nanoTime() - started) / 1_000_000;
            for (Thread poller : pollers) poller.interrupt();
            for (Thread poller : pollers) poller.join(15_000);
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            int connected = (int) followers.stream().filter(c -> c.connections > 0).count();

            List<Long> sorted = latenciesMicros.stream().sorted().toList();
            figures.put("SSE clients connected", connected);
            figures.put("polling clients (one request every " + POLL_MS + " ms each)", POLLERS);
            figures.put("warm-up not counted (s)", WARMUP_SECONDS);
            figures.put("measured while the run's jobs ran (s)", measuredMs / 1000.0);
            figures.put("requests", sorted.size());
            figures.put("errors", errors.get());
            figures.put("p50 (ms)", percentileMs(sorted, 50));
            figures.put("p95 (ms)", percentileMs(sorted, 95));
            figures.put("p99 (ms)", percentileMs(sorted, 99));
            figures.put("max (ms)", percentileMs(sorted, 100));
            figures.put("load average (1 min) before / after", loadBefore + " / " + loadAfter);

            String status = deployment.awaitRunsEnd(member, List.of(run), Duration.ofMinutes(15), worker).get(run);
            for (SseClient client : followers) client.stop();
            figures.put("run status", status);

            assertEquals(SSE_CLIENTS, connected, "every SSE client connected");
            assertTrue(sorted.size() > POLLERS, "requests were measured: " + sorted.size());
            assertEquals(0, errors.get(), "requests that failed");
            assertTrue(percentileMs(sorted, 99) < P99_LIMIT_MS, "p99 " + percentileMs(sorted, 99) + " ms");
            assertEquals("SUCCEEDED", status);
        }
    }

    private static double percentileMs(List<Long> sortedMicros, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sortedMicros.size()) - 1;
        return Math.round(sortedMicros.get(Math.max(0, index)) / 100.0) / 10.0;
    }
}

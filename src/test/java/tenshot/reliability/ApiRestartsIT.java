package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.ChildProcesses.Child;

/**
 * API restarts: {@code tenshot.reliability.restart-runs} runs on one worker process, one SSE client per
 * run, and the API process killed with SIGKILL and started again {@code tenshot.reliability.restarts}
 * times, each time while (or, if it ran while the API was down, just after) a TRAIN job runs. Every run must succeed, and every client, reconnecting with
 * {@code Last-Event-ID}, must end with the state a fresh client is sent, having never seen a job's
 * version go backwards.
 */
@QuarkusTest
@TestProfile(ApiRestartSseIT.NoWorkerHere.class)
@Tag("reliability")
class ApiRestartsIT {

    private static final int RESTARTS = Integer.getInteger("tenshot.reliability.restarts", 5);
    private static final int RUNS = Integer.getInteger("tenshot.reliability.restart-runs", 10);

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    @Test
    void everyRunSucceedsAndEveryReconnectedClientEndsWithAFreshClientsState() throws Exception {
        Figures figures = new Figures("api-restarts");
        TestAccounts.Session member = TestAccounts.member("restarts");
        long began = System.nanoTime();
        try (Deployment deployment = new Deployment("restarts", dbUrl)) {
            Child worker = deployment.startWorker("restarts-worker");
            Child api = deployment.startApi(member);
            List<Long> runs = new ArrayList<>();
            List<SseClient> clients = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                long run = deployment.startRun(member, "restart-" + i);
                runs.add(run);
                SseClient client = new SseClient(deployment.base().resolve("/api/events?run=" + run), member, Duration.ofMinutes(60));
                clients.add(client);
                Thread reader = new Thread(client, "sse-run-" + run);
                reader.start();
                readers.add(reader);
            }
            int restarts = 0;
            List<Long> downtimesMs = new ArrayList<>();
            // restarts spread over the batch: the i-th while the TRAIN job of run i * RUNS / RESTARTS runs
            for (int i = 0; i < RESTARTS; i++) {
                SseClient watched = clients.get(i * RUNS / RESTARTS);
                awaitTrainRunning(watched, worker);
                assertEquals(137, api.kill(), "the API process was killed with SIGKILL");
                long killed = System.nanoTime();
                api = deployment.startApi(member);
                downtimesMs.add((System.nanoTime() - killed) / 1_000_000);
                restarts++;
            }
            figures.put("API restarts", restarts);
            figures.put("runs", runs.size());
            figures.put("SSE clients", clients.size());
            figures.put("API down per restart (ms, kill to first answer)", downtimesMs);

            Map<Long, String> statuses = deployment.awaitRunsEnd(member, runs, Duration.ofMinutes(40), worker);
            figures.put("runs succeeded", statuses.values().stream().filter("SUCCEEDED"::equals).count());

            int sameState = 0;
            List<Integer> connections = new ArrayList<>();
            int resumedWithLastEventId = 0;
            List<String> reorders = new ArrayList<>();
            List<String> differences = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                SseClient client = clients.get(i);
                Map<Long, JsonNode> fresh = new SseClient(deployment.base().resolve("/api/events?run=" + runs.get(i)), member).snapshot();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!client.state().equals(fresh) && System.nanoTime() < deadline) Thread.sleep(100);
                client.stop();
                readers.get(i).join(10_000);
                if (client.state().equals(fresh) && !fresh.isEmpty()) sameState++;
                else differences.add("run " + runs.get(i) + ": " + client.state() + " vs fresh " + fresh);
                connections.add(client.connections);
                resumedWithLastEventId += client.resumedWith;
                reorders.addAll(client.reorders);
            }
            figures.put("clients ending with a fresh client's state", sameState);
            figures.put("connections per client", connections);
            figures.put("reconnections resumed with Last-Event-ID (all clients)", resumedWithLastEventId);
            figures.put("job versions seen out of order", reorders.size());
            figures.put("minutes", Math.round((System.nanoTime() - began) / 6e10));

            assertEquals(RESTARTS, restarts);
            assertTrue(statuses.values().stream().allMatch("SUCCEEDED"::equals), "every run succeeded: " + statuses);
            assertEquals(List.of(), differences, "every client's final state is a fresh client's");
            assertEquals(List.of(), reorders, "no job's version went backwards");
            assertTrue(resumedWithLastEventId >= RESTARTS, "clients reconnected with Last-Event-ID: " + resumedWithLastEventId);
        }
    }

    private static void awaitTrainRunning(SseClient client, Child worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode job : client.state().values()) {
                // normally seen running; one that ran while the API was down has already succeeded
                String state = job.path("state").asText();
                if ("TRAIN".equals(job.path("kind").asText()) && (state.equals("running") || state.equals("succeeded"))) return;
            }
            if (!worker.isAlive()) throw new AssertionError("the worker exited:\n" + worker.tail());
            Thread.sleep(50);
        }
        throw new AssertionError("the watched run's TRAIN job did not run within 20 minutes; worker log:\n" + worker.tail());
    }
}

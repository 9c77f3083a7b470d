package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.TestAccounts;
import tenshot.studio.api.Problem;
import tenshot.testing.ChildProcesses.Child;

/**
 * The database goes away: an API process and a worker process on a throwaway PostgreSQL cluster, which is
 * stopped for {@code tenshot.reliability.db-down-seconds} while a run trains. While it is down the API
 * must answer every request within 10 s with 503 and a problem document; the worker's attempts may only
 * end as kept (succeeded) or given back (lease expired, released), never failed; and once the database is
 * back the run must succeed.
 */
@QuarkusTest
@TestProfile(DatabaseOutageIT.OwnCluster.class)
@Tag("reliability")
class DatabaseOutageIT {

    /** The in-process studio (which only makes the test account) and the child processes use the throwaway cluster. */
    public static class OwnCluster implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.role", "api");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ThrowawayPostgres.class));
        }
    }

    private static final int DOWN_SECONDS = Integer.getInteger("tenshot.reliability.db-down-seconds", 15);
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(10);

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    @ConfigProperty(name = ThrowawayPostgres.DIR_PROPERTY)
    String clusterDir;

    @Test
    void theApiAnswers503WhileTheDatabaseIsDownAndTheRunFinishesOnceItIsBack() throws Exception {
        Figures figures = new Figures("database-outage");
        TestAccounts.Session member = TestAccounts.member("outage");
        try (Deployment deployment = new Deployment("outage", dbUrl)) {
            Child worker = deployment.startWorker("outage-worker");
            deployment.startApi(member);
            long run = deployment.startRun(member, "outage");
            deployment.awaitRunning(member, run, "TRAIN", worker);

            ThrowawayPostgres.stop(Path.of(clusterDir));
            long stoppedAt = System.nanoTime();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Map<String, Integer> answers = new TreeMap<>();
            long slowestMs = 0;
            int requests = 0;
            while (System.nanoTime() - stoppedAt < Duration.ofSeconds(DOWN_SECONDS).toNanos()) {
                HttpRequest request = HttpRequest.newBuilder(deployment.base().resolve("/api/runs/" + run)).timeout(ANSWER_LIMIT)
                        .header("Cookie", SessionCookies.SESSION + "=" + member.cookie()).build();
                long sent = System.nanoTime();
                String answer;
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    answer = response.statusCode() + " " + response.headers().firstValue("Content-Type").orElse("-")
                            + (response.body().contains("\"status\":503") || response.body().contains("\"status\": 503") ? " problem" : "");
                } catch (java.net.http.HttpTimeoutException hung) {
                    answer = "no answer within " + ANSWER_LIMIT.toSeconds() + " s";
                }
                slowestMs = Math.max(slowestMs, (System.nanoTime() - sent) / 1_000_000);
                answers.merge(answer, 1, Integer::sum);
                requests++;
                Thread.sleep(250);
            }
            ThrowawayPostgres.start(Path.of(clusterDir));
            long downMs = (System.nanoTime() - stoppedAt) / 1_000_000;
            figures.put("database down (ms)", downMs);
            figures.put("API requests while down", requests);
            figures.put("answers while down", answers);
            figures.put("slowest answer while down (ms)", slowestMs);

            Map<Long, String> statuses = deployment.awaitRunsEnd(member, List.of(run), Duration.ofMinutes(15), worker);
            List<String> outcomes = new ArrayList<>();
            long failedAttempts = 0;
            for (JsonPath job : deployment.jobs(member, run)) {
                List<Map<String, Object>> attempts = job.getList("attemptHistory");
                for (Map<String, Object> attempt : attempts) {
                    outcomes.add(job.getString("kind") + ":" + attempt.get("outcome"));
                    if ("failed".equals(attempt.get("outcome"))) failedAttempts++;
                }
            }
            figures.put("run status after the outage", statuses.get(run));
            figures.put("attempt outcomes", outcomes);
            figures.put("attempts failed by the outage", failedAttempts);
            figures.put("worker process alive after the outage", worker.isAlive());

            String problem = "503 " + Problem.MEDIA_TYPE + " problem";
            assertEquals(Map.of(problem, requests), answers, "every answer while the database was down was a 503 problem");
            assertTrue(slowestMs < ANSWER_LIMIT.toMillis(), "slowest answer " + slowestMs + " ms");
            assertEquals("SUCCEEDED", statuses.get(run), "the run finished after the outage; worker log:\n" + worker.tail());
            assertEquals(0, failedAttempts, "attempts: " + outcomes);
            assertTrue(worker.isAlive(), "the worker outlived the outage:\n" + worker.tail());
        }
    }
}

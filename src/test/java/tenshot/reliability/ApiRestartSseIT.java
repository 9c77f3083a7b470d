package tenshot.reliability;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.ChildProcesses;
import tenshot.testing.ChildProcesses.Child;
import tenshot.testing.Fixtures;

/**
 * An API restart with a live SSE client: the packaged studio as a separate API process and a separate
 * worker process (sharing one data folder, as on one host). While a run trains, the API process is
 * killed with SIGKILL and started again on the same port; the SSE client reconnects with
 * {@code Last-Event-ID}. When the run has ended, the client's state (the last version of every job)
 * must equal what a client that connects afresh is sent, and no job's version may ever go backwards
 * in what the client received. Needs {@code target/quarkus-app} (run by {@code mvn verify}).
 */
@QuarkusTest
@TestProfile(ApiRestartSseIT.NoWorkerHere.class)
class ApiRestartSseIT {

    /** This JVM's studio only makes the test accounts; the API and the worker under test are child processes. */
    public static class NoWorkerHere implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenshot.role", "api");
        }
    }

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    private final ChildProcesses children = new ChildProcesses();

    @AfterEach
    void stop() {
        children.close();
    }

    @Test
    void anSseClientThatReconnectsAfterAnApiRestartEndsWithTheStateOfAFreshClient() throws Exception {
        Path host = Path.of("target/api-restart-it-" + UUID.randomUUID()).toAbsolutePath();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        TestAccounts.Session member = TestAccounts.member("restarts");
        Child worker = children.startPackaged("worker", host.resolve("worker"), env("worker", host, 0));
        // the worker writes the demo model into the shared data folder on its first start; the API starts after it
        awaitStarted(worker);
        Child api = startApi(host, port, 1);
        URI base = URI.create("http://127.0.0.1:" + port);
        awaitUp(base, member, api);

        long run = startRun(base, member);
        SseClient client = new SseClient(base.resolve("/api/events?run=" + run), member);
        Thread reader = new Thread(client, "sse-client");
        reader.start();
        // restart while the TRAIN job runs
        awaitJob(client, "TRAIN", "running", worker);
        assertEquals(137, api.kill(), "the API process was killed with SIGKILL");
        api = startApi(host, port, 2);
        awaitUp(base, member, api);
        String status = awaitRunEnd(base, member, run, worker);
        assertEquals("SUCCEEDED", status, "the run finished after the restart; worker log:\n" + worker.tail());

        Map<Long, JsonNode> fresh = new SseClient(base.resolve("/api/events?run=" + run), member).snapshot();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.state().equals(fresh) && System.nanoTime() < deadline) Thread.sleep(100);
        client.stop();
        reader.join(10_000);
        assertTrue(client.connections >= 2, "the client reconnected: " + client.connections + " connection(s)");
        assertTrue(client.resumedWith > 0, "the client reconnected with Last-Event-ID");
        assertEquals(List.of(), client.reorders, "no job's version went backwards");
        assertEquals(fresh.keySet(), client.state().keySet(), "the client knows every job of the run");
        assertEquals(fresh, client.state(), "the reconnected client's final state is a fresh client's");
        assertFalse(fresh.isEmpty());
    }

    private Map<String, String> env(String role, Path host, int port) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("TENSHOT_ROLE", role);
        env.put("TENSHOT_WORKER_ID", "restart-it-" + role);
        env.put("TENSHOT_DATA_DIR", host.resolve("data").toString());
        env.put("TENSHOT_DB_URL", dbUrl);
        env.put("TENSHOT_DB_EMBEDDED", "false");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("TENSHOT_EVENTS_HEARTBEAT", "1s");
        return env;
    }

    private Child startApi(Path host, int port, int incarnation) throws IOException {
        return children.startPackaged("api-" + incarnation, host.resolve("api"), env("api", host, port));
    }

    private static RequestSpecification at(URI base, TestAccounts.Session session) {
        return given().spec(session.spec()).baseUri(base.toString());
    }

    private static void awaitStarted(Child child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) throw new AssertionError(child.name() + " exited:\n" + child.tail());
            if (child.output().contains("Listening on:")) return;
            Thread.sleep(250);
        }
        throw new AssertionError(child.name() + " did not start within 4 minutes:\n" + child.tail());
    }

    private static void awaitUp(URI base, TestAccounts.Session session, Child api) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!api.isAlive()) throw new AssertionError("the API process exited:\n" + api.tail());
            try {
                if (at(base, session).get("/api/runs").statusCode() == 200) return;
            } catch (Exception notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the API did not answer within 3 minutes:\n" + api.tail());
    }

    private static long startRun(URI base, TestAccounts.Session session) throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        RequestSpecification upload = at(base, session).multiPart("name", "restart-it").multiPart("styleId", "00")
                .multiPart("prompts", "prompt.json", Files.readAllBytes(style.resolve("prompt.json")), "application/json");
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.sorted().limit(3).toList()) {
                upload = upload.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        int set = upload.post("/api/style-sets").then().statusCode(201).extract().path("id");
        String recipe = "{\"base\": \"baseline\", \"steps\": 12, \"resolution\": 64, \"checkpointEvery\": 4, "
                + "\"previewEvery\": 0, \"generation\": {\"steps\": 2}}";
        return at(base, session).contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": " + recipe + "}")
                .post("/api/runs").then().statusCode(201).extract().<Integer>path("id");
    }

    private static void awaitJob(SseClient client, String kind, String state, Child worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode job : client.state().values()) {
                if (kind.equals(job.path("kind").asText()) && state.equals(job.path("state").asText())) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + kind + " job became " + state + "; worker log:\n" + worker.tail());
    }

    private static String awaitRunEnd(URI base, TestAccounts.Session session, long run, Child worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            String status = at(base, session).get("/api/runs/" + run).then().statusCode(200).extract().path("status");
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) return status;
            Thread.sleep(500);
        }
        throw new AssertionError("run " + run + " did not end within 10 minutes; worker log:\n" + worker.tail());
    }
}

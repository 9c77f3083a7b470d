package tenshot.reliability;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.ChildProcesses;
import tenshot.testing.ChildProcesses.Child;
import tenshot.testing.Fixtures;

/**
 * One deployment of the packaged studio as child processes on this host: an API process on a loopback
 * port and any number of worker processes, all sharing one data folder and one database. Leases, heartbeats,
 * the reaper and the retry backoff are short, so a killed worker's job comes back within seconds.
 */
final class Deployment implements AutoCloseable {

    static final int TRAIN_STEPS = 8;
    static final int CHECKPOINT_EVERY = 4;

    private static final String PROMPTS = "{\"0\": \"Dolphin\", \"1\": \"Bread\", \"2\": \"Kangaroo\", \"3\": \"Falcon\"}";

    private final ChildProcesses children = new ChildProcesses();
    private final Path host;
    private final String dbUrl;
    private final int port;
    private final Map<String, String> extraEnv = new HashMap<>();
    private int apiIncarnation;

    Deployment(String name, String dbUrl) throws IOException {
        this.host = Path.of("target/reliability-" + name + "-" + UUID.randomUUID()).toAbsolutePath();
        this.dbUrl = dbUrl;
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
    }

    /** An environment variable for every process started from now on. */
    Deployment with(String variable, String value) {
        extraEnv.put(variable, value);
        return this;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    Path dataDir() {
        return host.resolve("data");
    }

    /** A worker process, once it listens (its demo model is then in the data folder). */
    Child startWorker(String id) throws Exception {
        Child worker = children.startPackaged(id, host.resolve("workers"), env("worker", id, 0));
        awaitStarted(worker, Duration.ofMinutes(4));
        return worker;
    }

    /** The API process, once it answers {@code session}'s requests. */
    Child startApi(TestAccounts.Session session) throws Exception {
        apiIncarnation++;
        Child api = children.startPackaged("api-" + apiIncarnation, host.resolve("api"), env("api", "api", port));
        awaitUp(session, api);
        return api;
    }

    private Map<String, String> env(String role, String id, int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("TENSHOT_ROLE", role);
        env.put("TENSHOT_WORKER_ID", id);
        env.put("TENSHOT_DATA_DIR", dataDir().toString());
        env.put("TENSHOT_DB_URL", dbUrl);
        env.put("TENSHOT_DB_EMBEDDED", "false");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("TENSHOT_EVENTS_HEARTBEAT", "1s");
        env.put("TENSHOT_WORKER_LEASE", "8s");
        env.put("TENSHOT_WORKER_HEARTBEAT", "2s");
        env.put("TENSHOT_QUEUE_REAP_INTERVAL", "2s");
        env.put("TENSHOT_QUEUE_RETRY_BACKOFF", "1s");
        env.put("TENSHOT_QUEUE_RETRY_BACKOFF_MAX", "4s");
        // the suite starts more runs at once than a team may by default
        env.put("TENSHOT_QUOTA_CONCURRENT_RUNS", "100");
        env.put("TENSHOT_QUOTA_GPU_MINUTES_PER_DAY", "100000");
        env.putAll(extraEnv);
        return env;
    }

    RequestSpecification at(TestAccounts.Session session) {
        return given().spec(session.spec()).baseUri(base().toString());
    }

    /**
     * A run of three images of the style "jittor-a/00" and its first four prompts, with an 8-step training that
     * saves a checkpoint every 4 steps: small, so a batch of runs fits the suite's time on two cores.
     */
    long startRun(TestAccounts.Session session, String name) throws IOException {
        return startRun(session, name, TRAIN_STEPS);
    }

    /** {@link #startRun(TestAccounts.Session, String)} with {@code trainSteps} training steps. */
    long startRun(TestAccounts.Session session, String name, int trainSteps) throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        RequestSpecification upload = at(session).multiPart("name", name).multiPart("styleId", "00")
                .multiPart("prompts", "prompt.json", PROMPTS.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.sorted().limit(3).toList()) {
                upload = upload.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        int set = upload.post("/api/style-sets").then().statusCode(201).extract().path("id");
        String recipe = "{\"base\": \"baseline\", \"steps\": " + trainSteps + ", \"resolution\": 64, \"checkpointEvery\": "
                + CHECKPOINT_EVERY + ", \"previewEvery\": 0, \"generation\": {\"steps\": 2}}";
        return at(session).contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": " + recipe + "}")
                .post("/api/runs").then().statusCode(201).extract().<Integer>path("id");
    }

    String runStatus(TestAccounts.Session session, long run) {
        return at(session).get("/api/runs/" + run).then().statusCode(200).extract().path("status");
    }

    /** Every job of the run, each with its attempt history. */
    List<JsonPath> jobs(TestAccounts.Session session, long run) {
        List<Integer> ids = at(session).get("/api/jobs?run=" + run).then().statusCode(200).extract().jsonPath().getList("id");
        return ids.stream().map(id -> at(session).get("/api/jobs/" + id).then().statusCode(200).extract().jsonPath()).toList();
    }

    /** Waits until none of the runs is queued or running; returns each run's status. */
    Map<Long, String> awaitRunsEnd(TestAccounts.Session session, List<Long> runs, Duration limit, Child worker) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Map<Long, String> statuses = new java.util.TreeMap<>();
            for (long run : runs) statuses.put(run, runStatus(session, run));
            if (statuses.values().stream().noneMatch(s -> s.equals("QUEUED") || s.equals("RUNNING"))) return statuses;
            Thread.sleep(1000);
        }
        throw new AssertionError("runs " + runs + " did not end within " + limit + "; worker log:\n" + worker.tail());
    }

    /** Waits until the run's job of {@code kind} runs. */
    void awaitRunning(TestAccounts.Session session, long run, String kind, Child worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonPath job : jobs(session, run)) {
                if (job.getString("kind").equals(kind) && job.getString("state").equals("running")) return;
            }
            if (!worker.isAlive()) throw new AssertionError(worker.name() + " exited:\n" + worker.tail());
            Thread.sleep(200);
        }
        throw new AssertionError("the " + kind + " job did not start within 10 minutes; worker log:\n" + worker.tail());
    }

    static void awaitStarted(Child child, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) throw new AssertionError(child.name() + " exited:\n" + child.tail());
            if (child.output().contains("Listening on:")) return;
            Thread.sleep(250);
        }
        throw new AssertionError(child.name() + " did not start within " + limit + ":\n" + child.tail());
    }

    private void awaitUp(TestAccounts.Session session, Child api) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!api.isAlive()) throw new AssertionError("the API process exited:\n" + api.tail());
            try {
                Response answer = at(session).get("/api/runs");
                if (answer.statusCode() == 200) return;
            } catch (Exception notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the API did not answer within 3 minutes:\n" + api.tail());
    }

    @Override
    public void close() {
        children.close();
    }
}

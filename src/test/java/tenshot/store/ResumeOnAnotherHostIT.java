package tenshot.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.diffusion.train.TrainingCheckpoints;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.jobs.RunSpec;
import tenshot.testing.ChildProcesses;
import tenshot.testing.ChildProcesses.Child;
import tenshot.testing.Fixtures;

/**
 * The S3 store's "done means": two worker processes of the packaged studio, each with its own data
 * directory and nothing shared but PostgreSQL and the S3 bucket. Host A trains until a checkpoint is in
 * the bucket and is killed with SIGKILL; host B takes the job over when A's lease expires and finishes it
 * from that checkpoint. Needs {@code target/quarkus-app} (run by {@code mvn verify}).
 */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
@ExtendWith(SignedInAsOperator.class)
class ResumeOnAnotherHostIT {

    private static final int STEPS = 16;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    private final ChildProcesses workers = new ChildProcesses();

    @AfterEach
    void stopWorkers() {
        workers.close();
    }

    @Test
    void aKilledWorkersTrainingFinishesOnAnotherHostFromTheCheckpointInS3() throws Exception {
        assertTrue(store instanceof S3ArtifactStore, "the studio runs on the S3 store: " + store.getClass());
        Path hosts = Path.of("target/resume-it-" + UUID.randomUUID());

        Child hostA = startWorker("host-a", hosts.resolve("a"));
        int run = startRun();
        String checkpoints = RunSpec.prefix(run) + RunSpec.CHECKPOINTS;
        long stored = awaitStoredCheckpoint(checkpoints, hostA);
        assertEquals(137, hostA.kill(), "host A was killed with SIGKILL");

        Child hostB = startWorker("host-b", hosts.resolve("b"));
        JsonPath train = awaitTrainJob(run, hostB);
        assertEquals("succeeded", train.getString("state"), train.prettify());
        List<Map<String, Object>> attempts = train.getList("attemptHistory");
        assertEquals("host-a", attempts.get(0).get("workerId"), train.prettify());
        assertEquals("host-b", attempts.get(attempts.size() - 1).get("workerId"), train.prettify());
        long resumedFrom = train.getLong("result.resumedFrom");
        assertTrue(resumedFrom >= stored && resumedFrom < STEPS,
                "host B resumed from step " + resumedFrom + ", the checkpoint in S3 was at step " + stored);
        assertEquals(STEPS, train.getInt("result.steps"), train.prettify());

        assertTrue(store.exists(RunSpec.prefix(run) + RunSpec.LORA), "the LoRA is in the store");
        assertEquals(List.of(), store.list(checkpoints), "checkpoints are deleted once the LoRA is stored");
        // host B never saw host A's files: its checkpoint came from the bucket
        try (Stream<Path> files = Files.walk(hosts.resolve("b"))) {
            assertFalse(files.anyMatch(p -> p.startsWith(hosts.resolve("a"))));
        }
    }

    private Child startWorker(String id, Path dataDir) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("TENSHOT_ROLE", "worker");
        env.put("TENSHOT_WORKER_ID", id);
        env.put("TENSHOT_DATA_DIR", dataDir.toAbsolutePath().toString());
        env.put("TENSHOT_DB_URL", dbUrl);
        env.put("TENSHOT_DB_EMBEDDED", "false");
        env.put("QUARKUS_HTTP_PORT", "0");
        // a short lease, so host B takes the job soon after host A stops renewing it
        env.put("TENSHOT_WORKER_LEASE", "8s");
        env.put("TENSHOT_WORKER_HEARTBEAT", "2s");
        env.put("TENSHOT_QUEUE_REAP_INTERVAL", "2s");
        env.put("AWS_ACCESS_KEY_ID", S3MockServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3MockServer.SECRET_KEY);
        try {
            S3StoreProfile.storeSettings(S3MockServer.shared()).forEach((k, v) ->
                    env.put(k.toUpperCase().replace('.', '_').replace('-', '_'), v));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return workers.startPackaged("worker", dataDir, env);
    }

    private int startRun() throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        RequestSpecification upload = given().multiPart("name", "resume-it").multiPart("styleId", "00")
                .multiPart("prompts", "prompt.json", Files.readAllBytes(style.resolve("prompt.json")), "application/json");
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.sorted().toList()) {
                upload = upload.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        int set = upload.when().post("/api/style-sets").then().statusCode(201).extract().path("id");
        String recipe = "{\"base\": \"baseline\", \"steps\": " + STEPS + ", \"resolution\": 64, \"checkpointEvery\": 2, "
                + "\"previewEvery\": 0, \"generation\": {\"steps\": 2}}";
        return given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": " + recipe + "}")
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
    }

    /** The step of the first complete checkpoint that host A put in the bucket. */
    private long awaitStoredCheckpoint(String prefix, Child host) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!host.isAlive()) throw new AssertionError("host A exited with " + host.process().exitValue() + "; log:\n" + host.tail());
            long newest = -1;
            for (String key : store.list(prefix)) {
                if (key.endsWith("/" + TrainingCheckpoints.STATE)) {
                    String folder = key.substring(prefix.length(), key.length() - TrainingCheckpoints.STATE.length() - 1);
                    newest = Math.max(newest, TrainingCheckpoints.stepOf(folder));
                }
            }
            if (newest > 0) return newest;
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint reached the bucket; host A's log:\n" + host.tail());
    }

    private JsonPath awaitTrainJob(int run, Child host) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath jobs = given().when().get("/api/jobs?run=" + run).then().statusCode(200).extract().jsonPath();
            long id = jobs.getLong("find { it.kind == 'TRAIN' }.id");
            JsonPath train = given().when().get("/api/jobs/" + id).then().statusCode(200).extract().jsonPath();
            String state = train.getString("state");
            if (!state.equals("queued") && !state.equals("running")) return train;
            Thread.sleep(1000);
        }
        throw new AssertionError("the TRAIN job did not finish on host B; its log:\n" + host.tail());
    }
}

package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.train.TrainingCheckpoints;
import tenshot.studio.access.TestAccounts;
import tenshot.studio.jobs.RunSpec;
import tenshot.testing.ChildProcesses.Child;

/**
 * Worker crashes: one API process and a batch of runs; a worker process is killed with SIGKILL at a
 * seeded random moment while it runs a TRAIN, GENERATE or SCORE job, {@code tenshot.reliability.kills}
 * times, a fresh worker starting after each kill. A job is never killed on its last attempt (a job that
 * kills its worker every time is meant to fail). Every run must then succeed with no job lost, every kill
 * must be in the attempt history as an expired lease, every killed training must resume from at least the
 * newest checkpoint stored before the kill, and no artifact may be written twice.
 */
@QuarkusTest
@TestProfile(ApiRestartSseIT.NoWorkerHere.class)
@Tag("reliability")
class WorkerCrashesIT {

    private static final int KILLS = Integer.getInteger("tenshot.reliability.kills", 20);
    private static final int RUNS = Integer.getInteger("tenshot.reliability.crash-runs", 10);
    /** Long enough that a training is still running when the kill comes, on a quiet machine too. */
    private static final int TRAIN_STEPS = Integer.getInteger("tenshot.reliability.crash-train-steps", 40);
    private static final long SEED = Long.getLong("tenshot.reliability.seed", 15);
    private static final Set<String> KILLABLE = Set.of("TRAIN", "GENERATE", "SCORE");
    /** The longest wait between a job being seen running and the kill; short, or quick jobs end before it. */
    private static final int MAX_DELAY_MS = 2000;

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    @Test
    void everyRunSucceedsThroughWorkerKillsWithNothingLostOrWrittenTwice() throws Exception {
        Figures figures = new Figures("worker-crashes");
        TestAccounts.Session member = TestAccounts.member("crashes");
        Random random = new Random(SEED);
        long began = System.nanoTime();
        try (Deployment deployment = new Deployment("crashes", dbUrl)) {
            Child worker = deployment.startWorker("crash-0");
            deployment.startApi(member);
            List<Long> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) runs.add(deployment.startRun(member, "crash-" + i, TRAIN_STEPS));

            Map<String, Integer> killsByKind = new TreeMap<>();
            List<Kill> kills = new ArrayList<>();
            Map<String, Set<Object>> written = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(45).toNanos();
            for (int tries = 0; kills.size() < KILLS && tries < KILLS * 4 && System.nanoTime() < deadline; tries++) {
                String workerId = worker.name();
                Optional<JsonPath> job = awaitKillable(deployment, member, runs, workerId, worker);
                if (job.isEmpty()) break;
                Thread.sleep(random.nextInt(MAX_DELAY_MS));
                JsonPath now = deployment.at(member).get("/api/jobs/" + job.get().getLong("id")).then().extract().jsonPath();
                if (!"running".equals(now.getString("state")) || !workerId.equals(now.getString("worker"))) continue;
                assertEquals(137, worker.kill(), "the worker was killed with SIGKILL");
                long jobId = now.getLong("id");
                String kind = now.getString("kind");
                long storedCheckpoint = kind.equals("TRAIN") ? newestStoredCheckpoint(deployment, now.getLong("runId")) : -1;
                kills.add(new Kill(jobId, kind, workerId, storedCheckpoint));
                killsByKind.merge(kind, 1, Integer::sum);
                snapshot(deployment.dataDir().resolve("artifacts"), written);
                worker = deployment.startWorker("crash-" + kills.size());
            }
            figures.put("kills", kills.size());
            figures.put("kills by kind", killsByKind);
            figures.put("runs", runs.size());
            assertEquals(KILLS, kills.size(), "kills before the runs ended; worker log:\n" + worker.tail());

            Map<Long, String> statuses = deployment.awaitRunsEnd(member, runs, Duration.ofMinutes(30), worker);
            snapshot(deployment.dataDir().resolve("artifacts"), written);
            figures.put("runs succeeded", statuses.values().stream().filter("SUCCEEDED"::equals).count());

            Map<Long, JsonPath> jobs = new HashMap<>();
            for (long run : runs) for (JsonPath job : deployment.jobs(member, run)) jobs.put(job.getLong("id"), job);
            long lost = jobs.values().stream().filter(j -> !"succeeded".equals(j.getString("state"))).count();
            long killsInHistory = kills.stream().filter(k -> expiredAttemptOf(jobs.get(k.jobId()), k.workerId())).count();
            List<String> resumes = new ArrayList<>();
            long trainingsResumedFromCheckpoint = 0;
            Map<Long, Kill> lastTrainKill = new HashMap<>();
            for (Kill kill : kills) if (kill.kind().equals("TRAIN")) lastTrainKill.put(kill.jobId(), kill);
            for (Kill kill : lastTrainKill.values()) {
                long resumedFrom = jobs.get(kill.jobId()).getLong("result.resumedFrom");
                resumes.add("job " + kill.jobId() + ": checkpoint " + kill.storedCheckpoint() + ", resumed from " + resumedFrom);
                if (resumedFrom >= Math.max(0, kill.storedCheckpoint()) && resumedFrom % Deployment.CHECKPOINT_EVERY == 0
                        && resumedFrom < TRAIN_STEPS) {
                    trainingsResumedFromCheckpoint++;
                }
            }
            long writtenTwice = written.values().stream().filter(versions -> versions.size() > 1).count();
            figures.put("jobs", jobs.size());
            figures.put("jobs lost", lost);
            figures.put("kills in the attempt history as lease_expired", killsInHistory);
            figures.put("killed trainings", lastTrainKill.size());
            figures.put("of which killed with a checkpoint stored",
                    lastTrainKill.values().stream().filter(k -> k.storedCheckpoint() > 0).count());
            figures.put("killed trainings resumed from their newest stored checkpoint or later", trainingsResumedFromCheckpoint);
            figures.put("resume points", resumes);
            figures.put("artifacts written twice", writtenTwice);
            figures.put("minutes", Math.round((System.nanoTime() - began) / 6e10));

            assertTrue(statuses.values().stream().allMatch("SUCCEEDED"::equals), "every run succeeded: " + statuses);
            assertEquals(0, lost, "jobs that did not succeed");
            assertEquals(kills.size(), killsInHistory, "every kill is an expired lease in its job's attempt history: " + kills);
            assertEquals(lastTrainKill.size(), trainingsResumedFromCheckpoint, "resumes: " + resumes);
            assertEquals(0, writtenTwice, "artifacts written more than once: "
                    + written.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList());
        }
    }

    private record Kill(long jobId, String kind, String workerId, long storedCheckpoint) {}

    /** The first killable job the worker runs, or empty once every run has ended. */
    private static Optional<JsonPath> awaitKillable(Deployment deployment, TestAccounts.Session member, List<Long> runs,
            String workerId, Child worker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!worker.isAlive()) throw new AssertionError(workerId + " exited:\n" + worker.tail());
            boolean live = false;
            for (long run : runs) {
                List<Map<String, Object>> jobs = deployment.at(member).get("/api/jobs?run=" + run).then().statusCode(200)
                        .extract().jsonPath().getList("$");
                for (Map<String, Object> job : jobs) {
                    String state = String.valueOf(job.get("state"));
                    live |= state.equals("queued") || state.equals("running");
                    if (state.equals("running") && workerId.equals(job.get("worker")) && KILLABLE.contains(job.get("kind"))
                            && ((Number) job.get("attempts")).intValue() < ((Number) job.get("maxAttempts")).intValue()) {
                        return Optional.of(deployment.at(member).get("/api/jobs/" + job.get("id")).then().extract().jsonPath());
                    }
                }
            }
            if (!live) return Optional.empty();
            Thread.sleep(100);
        }
        throw new AssertionError(workerId + " ran no job that may be killed for 5 minutes:\n" + worker.tail());
    }

    private static boolean expiredAttemptOf(JsonPath job, String workerId) {
        List<Map<String, Object>> attempts = job.getList("attemptHistory");
        return attempts.stream().anyMatch(a -> workerId.equals(a.get("workerId")) && "lease_expired".equals(a.get("outcome")));
    }

    private static long newestStoredCheckpoint(Deployment deployment, long run) throws IOException {
        Path folder = deployment.dataDir().resolve("artifacts").resolve(RunSpec.prefix(run) + RunSpec.CHECKPOINTS);
        if (!Files.isDirectory(folder)) return -1;
        try (Stream<Path> checkpoints = Files.list(folder)) {
            return checkpoints.filter(c -> Files.isRegularFile(c.resolve(TrainingCheckpoints.STATE)))
                    .mapToLong(c -> TrainingCheckpoints.stepOf(c.getFileName().toString())).max().orElse(-1);
        }
    }

    /**
     * Adds each stored artifact's file identity (inode) to what was seen of its key; the store writes by
     * renaming a new file into place, so a key seen with two identities was written twice. Checkpoints are
     * left out: a killed training's next attempt writes the step it had not finished saving again.
     */
    private static void snapshot(Path store, Map<String, Set<Object>> written) throws IOException {
        if (!Files.isDirectory(store)) return;
        try (Stream<Path> files = Files.walk(store)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = store.relativize(file).toString();
                if (key.startsWith(".tmp/") || key.contains("/checkpoints/") || key.startsWith("health/")) continue;
                Object identity;
                try {
                    identity = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                } catch (java.nio.file.NoSuchFileException deleted) {
                    continue;
                }
                written.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(identity);
            }
        }
    }
}

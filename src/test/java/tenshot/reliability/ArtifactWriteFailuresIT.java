package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.ChildProcesses.Child;

/**
 * Artifact write failures in a worker process of the packaged studio, while a run trains: the local store's
 * folder for writes in progress replaced by a plain file (every write throws), or the store on a full disk (a
 * small tmpfs filled up; needs root to mount). The attempt must fail with a reason that names the store's
 * folder, the job must be retried and succeed once the store is repaired, and no file the store showed while
 * it was broken may change afterwards (a partial file made visible would).
 */
@QuarkusTest
@TestProfile(ApiRestartSseIT.NoWorkerHere.class)
@Tag("reliability")
class ArtifactWriteFailuresIT {

    @ConfigProperty(name = "tenshot.db.url")
    String dbUrl;

    /** Breaks the store's folder and repairs it. */
    private interface Fault {
        void prepare(Path artifacts) throws Exception;

        void inject(Path artifacts) throws Exception;

        void repair(Path artifacts) throws Exception;
    }

    @Test
    void aStoreThatThrows() throws Exception {
        failAndRecover("store-throws", new Fault() {
            @Override
            public void prepare(Path artifacts) {}

            @Override
            public void inject(Path artifacts) throws IOException {
                Path tmp = artifacts.resolve(".tmp");
                try (Stream<Path> leftovers = Files.list(tmp)) {
                    for (Path file : leftovers.toList()) Files.deleteIfExists(file);
                }
                Files.delete(tmp);
                Files.writeString(tmp, "not a folder");
            }

            @Override
            public void repair(Path artifacts) throws IOException {
                Files.delete(artifacts.resolve(".tmp"));
                Files.createDirectory(artifacts.resolve(".tmp"));
            }
        });
    }

    @Test
    void aFullDisk() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        failAndRecover("disk-full", new Fault() {
            @Override
            public void prepare(Path artifacts) throws Exception {
                Files.createDirectories(artifacts);
                command("mount", "-t", "tmpfs", "-o", "size=256m", "tenshot-disk-full", artifacts.toString());
            }

            @Override
            public void inject(Path artifacts) throws IOException {
                // fill what is free, leaving less than any checkpoint or LoRA needs
                byte[] block = new byte[1 << 16];
                try (OutputStream out = Files.newOutputStream(artifacts.resolve("filler"))) {
                    while (true) out.write(block);
                } catch (IOException full) {
                    // the disk is full
                }
            }

            @Override
            public void repair(Path artifacts) throws IOException {
                Files.delete(artifacts.resolve("filler"));
            }
        });
    }

    private void failAndRecover(String name, Fault fault) throws Exception {
        Figures figures = new Figures("artifact-write-" + name);
        TestAccounts.Session member = TestAccounts.member("writes");
        // a long backoff: the store is repaired before the retry, so one failed attempt is all the fault costs
        try (Deployment deployment = new Deployment("writes-" + name, dbUrl).with("TENSHOT_QUEUE_RETRY_BACKOFF", "20s")) {
            Path artifacts = deployment.dataDir().resolve("artifacts");
            fault.prepare(artifacts);
            try {
                Child worker = deployment.startWorker("writes-worker");
                deployment.startApi(member);
                long run = deployment.startRun(member, "writes-" + name);
                deployment.awaitRunning(member, run, "TRAIN", worker);

                fault.inject(artifacts);
                Map<String, Object> failed = awaitFailedAttempt(deployment, member, run, worker);
                Map<String, String> visibleWhileBroken = contents(artifacts);
                fault.repair(artifacts);
                String reason = String.valueOf(failed.get("reason"));
                figures.put("failed attempt", failed.get("kind") + " attempt " + failed.get("attempt"));
                figures.put("its reason", reason.length() > 240 ? reason.substring(0, 240) + "…" : reason);

                Map<Long, String> statuses = deployment.awaitRunsEnd(member, List.of(run), Duration.ofMinutes(15), worker);
                Map<String, String> end = contents(artifacts);
                long changed = visibleWhileBroken.entrySet().stream()
                        .filter(e -> end.containsKey(e.getKey()) && !end.get(e.getKey()).equals(e.getValue())).count();
                figures.put("run status after the repair", statuses.get(run));
                figures.put("files visible while broken that changed later", changed);
                long retried = deployment.jobs(member, run).stream()
                        .filter(j -> j.getLong("id") == ((Number) failed.get("job")).longValue())
                        .filter(j -> j.getString("state").equals("succeeded")).count();
                figures.put("failed job retried and succeeded", retried == 1);

                assertTrue(reason.contains(artifacts.getFileName().toString()) || reason.contains("No space left"),
                        "the reason names the store's folder or the full disk: " + reason);
                assertEquals("SUCCEEDED", statuses.get(run), "worker log:\n" + worker.tail());
                assertEquals(1, retried, "the failed job was retried and succeeded");
                assertEquals(0, changed, "files the store showed while broken changed later");
                assertFalse(end.keySet().stream().anyMatch(k -> k.endsWith(".part")), "no partial file is visible: " + end.keySet());
            } finally {
                if (name.equals("disk-full")) command("umount", "-l", artifacts.toString());
            }
        }
    }

    /** The first failed attempt of any of the run's jobs, with its job's id and kind. */
    private static Map<String, Object> awaitFailedAttempt(Deployment deployment, TestAccounts.Session member, long run, Child worker)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonPath job : deployment.jobs(member, run)) {
                List<Map<String, Object>> attempts = job.getList("attemptHistory");
                Optional<Map<String, Object>> failed = attempts.stream().filter(a -> "failed".equals(a.get("outcome"))).findFirst();
                if (failed.isPresent()) {
                    Map<String, Object> found = new HashMap<>(failed.get());
                    found.put("job", job.getLong("id"));
                    found.put("kind", job.getString("kind"));
                    return found;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no attempt failed within 10 minutes of breaking the store; worker log:\n" + worker.tail());
    }

    /** Every file the store shows (its folder for writes in progress left out), with a digest of its bytes. */
    private static Map<String, String> contents(Path artifacts) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (Stream<Path> walk = Files.walk(artifacts)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String key = artifacts.relativize(file).toString();
                if (key.startsWith(".tmp") || key.equals("filler")) continue;
                try {
                    files.put(key, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
                } catch (java.nio.file.NoSuchFileException deleted) {
                    // deleted while listed
                }
            }
        }
        return files;
    }

    private static void command(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(List.of(command) + " did not finish within 30 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " exited with " + process.exitValue() + ": "
                    + new String(process.getInputStream().readAllBytes()));
        }
    }
}

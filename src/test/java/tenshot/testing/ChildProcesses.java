package tenshot.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Java child processes of a test: Tenshot started as a separate process (the packaged jar, or
 * {@code TenshotMain} on this JVM's class path), its output in a log file, killed with SIGKILL when
 * the test says so, and every one still alive stopped by {@link #close()}.
 */
public final class ChildProcesses implements AutoCloseable {

    /** The packaged studio; {@code mvn package} (and so {@code mvn verify}) builds it before the ITs run. */
    public static final Path PACKAGED_APP = Path.of("target/quarkus-app/quarkus-run.jar");

    /** A started child and the file its stdout and stderr go to. */
    public record Child(String name, Process process, Path log) {

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Kills the process with SIGKILL and returns its exit status once it is gone (137 on Linux). */
        public int kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException(name + " did not die within 30 s of SIGKILL");
            return process.exitValue();
        }

        /** Waits for a normal exit, at most {@code seconds}; a child still running then is killed and the wait fails. */
        public int await(long seconds) throws InterruptedException, IOException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError(name + " did not finish within " + seconds + " s; its log:\n" + tail());
            }
            return process.exitValue();
        }

        /** The last 60 lines of the child's log, for failure messages. */
        public String tail() throws IOException {
            if (!Files.exists(log)) return "(no log)";
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }

        public String output() throws IOException {
            return Files.readString(log);
        }
    }

    private final List<Child> started = new ArrayList<>();

    /** {@code java -jar quarkus-run.jar args} in {@code workDir}, logging to {@code workDir/<name>.log}. */
    public Child startPackaged(String name, Path workDir, Map<String, String> env, String... args) throws IOException {
        if (!Files.isRegularFile(PACKAGED_APP)) {
            throw new IllegalStateException(PACKAGED_APP.toAbsolutePath() + " is missing: run this test through mvn verify");
        }
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx3g", "-jar", PACKAGED_APP.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(name, workDir, env, command);
    }

    /**
     * {@code TenshotMain args} on this JVM's class path, for engine commands ({@code train}, {@code generate})
     * of the code under test without packaging it.
     */
    public Child startFromClassPath(String name, Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "tenshot.TenshotMain"));
        command.addAll(List.of(args));
        return start(name, workDir, env, command);
    }

    private Child start(String name, Path workDir, Map<String, String> env, List<String> command) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Child child = new Child(name, builder.start(), log);
        started.add(child);
        return child;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        for (Child child : started) child.process().destroyForcibly();
    }
}

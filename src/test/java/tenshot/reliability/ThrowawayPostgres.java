package tenshot.reliability;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own for a test that stops the database: {@code initdb} in a temporary
 * folder, listening on a free loopback port, so the machine's shared server is never touched. The test
 * stops and starts it with {@link #stop(Path)} and {@link #start(Path)}, given the folder from the
 * config property {@value #DIR_PROPERTY}.
 */
public class ThrowawayPostgres implements QuarkusTestResourceLifecycleManager {

    static final String DIR_PROPERTY = "tenshot.test.throwaway-postgres.dir";
    private static final Path BIN = Path.of(System.getProperty("tenshot.test.postgres-bin", "/usr/lib/postgresql/15/bin"));

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tenshot-throwaway-pg-");
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            if (asRoot()) run(List.of("chown", "postgres", dir.toString()));
            run(postgres("initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "--no-sync"));
            Files.writeString(dir.resolve("data/postgresql.auto.conf"), "port = " + port + "\nlisten_addresses = '127.0.0.1'\n"
                    + "unix_socket_directories = '" + dir + "'\nfsync = off\n", java.nio.file.StandardOpenOption.APPEND);
            start(dir);
            run(postgres("createdb", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "tenshot"));
            return Map.of("tenshot.db.url", "postgresql://127.0.0.1:" + port + "/tenshot", DIR_PROPERTY, dir.toString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not start a throwaway PostgreSQL", e);
        }
    }

    static void start(Path dir) throws IOException, InterruptedException {
        run(postgres("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "start"));
    }

    /** A fast shutdown: open connections are ended, as when the database server goes away. */
    static void stop(Path dir) throws IOException, InterruptedException {
        run(postgres("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
    }

    @Override
    public void stop() {
        if (dir == null) return;
        try {
            run(postgres("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
        } catch (IOException | InterruptedException | IllegalStateException alreadyStopped) {
            // nothing to stop
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: left for the OS
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** PostgreSQL refuses to run as root: as root, its tools run as the user postgres. */
    private static List<String> postgres(String tool, String... args) {
        List<String> command = new ArrayList<>();
        if (asRoot()) command.addAll(List.of("runuser", "-u", "postgres", "--"));
        command.add(BIN.resolve(tool).toString());
        command.addAll(List.of(args));
        return command;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 120 s");
        }
        if (process.exitValue() != 0) throw new IllegalStateException(command + " exited with " + process.exitValue() + ":\n" + output);
    }
}

package tenshot.store;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: Adobe S3Mock's executable jar (copied to {@code target/s3mock/}
 * by the build) run as a child process on a free port, one per test JVM, stopped when the JVM exits.
 * A child process keeps S3Mock's Spring Boot off the Quarkus test class path.
 */
public final class S3MockServer {

    public static final String BUCKET = "tenshot";
    public static final String ACCESS_KEY = "tenshot-test";
    public static final String SECRET_KEY = "tenshot-test-secret";
    private static final Path JAR = Path.of("target/s3mock/s3mock.jar");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static S3MockServer shared;

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private S3MockServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** The JVM's server, started on first use. */
    public static synchronized S3MockServer shared() throws IOException, InterruptedException {
        if (shared == null) shared = start();
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client for this server, configured as the studio configures one for an S3-compatible endpoint. */
    public S3Client client() {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    private static S3MockServer start() throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: the build copies it in generate-test-resources "
                    + "(run the tests through mvn)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Path.of("target/s3mock/run-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Path log = dir.resolve("s3mock.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-Xmx512m",
                "-jar", JAR.toAbsolutePath().toString(),
                "--server.port=0",
                "--com.adobe.testing.s3mock.httpPort=" + port,
                "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
                "--com.adobe.testing.s3mock.store.root=" + dir.resolve("data").toAbsolutePath(),
                "--spring.jmx.enabled=false",
                "--spring.main.banner-mode=off"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        S3MockServer server = new S3MockServer(process, URI.create("http://127.0.0.1:" + port), log);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + " before it served; log:\n" + tail());
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/" + BUCKET).toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                connection.setRequestMethod("HEAD");
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Mock did not serve within " + START_TIMEOUT + "; log:\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}

package tenshot.studio.fuzz;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tenshot.studio.access.TestAccounts;
import tenshot.studio.upload.BadImages;

/**
 * A bounded, seeded fuzz run of the upload and JSON endpoints: valid requests broken at random
 * (truncated, bytes flipped, deep nesting, huge numbers, wrong types, hostile file names and archives,
 * images that lie about their size). Every answer must be below 500, and every refused request must
 * leave the database and the artifact store exactly as they were. A failure prints the seed and the
 * request; rerun with {@code -Dtenshot.fuzz.seed=<seed>} to replay it.
 */
@QuarkusTest
class MalformedInputFuzzTest {

    static final long SEED = Long.getLong("tenshot.fuzz.seed", 20261203L);
    static final int ROUNDS = Integer.getInteger("tenshot.fuzz.rounds", 40);

    @Inject
    Pool pool;

    @ConfigProperty(name = "tenshot.data-dir")
    Path dataDir;

    private final Random random = new Random(SEED);
    private final java.util.TreeMap<Integer, Integer> statuses = new java.util.TreeMap<>();
    private long styleSet;
    private long run;

    @AfterEach
    void visitor() {
        TestAccounts.signOut();
    }

    @Test
    void malformedInputsGetA4xxAndLeaveNothingBehind() throws Exception {
        TestAccounts.member("fuzzers").forAllRequests();
        styleSet = given().multiPart("name", "fuzz base").multiPart("styleId", "09")
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", png(8), "image/png").multiPart("images", "blue_car.png", png(9), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().<Integer>path("id");
        run = given().contentType("application/json").body("{\"styleSetId\": " + styleSet + ", \"recipe\": \"baseline\"}")
                .when().post("/api/runs").then().statusCode(201).extract().<Integer>path("id");
        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);

        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            send(failures, round, "POST /api/runs", () -> json(mutate(
                    "{\"styleSetId\": " + styleSet + ", \"recipe\": {\"base\": \"safe\", \"steps\": 20, \"rank\": 8}, \"baseModel\": \"demo-sd21\"}"))
                    .post("/api/runs"));
            send(failures, round, "POST /api/runs/{id}/rerun", () -> json(mutate("{\"recipe\": {\"steps\": 30, \"flip\": true}}"))
                    .post("/api/runs/" + run + "/rerun"));
            send(failures, round, "POST /api/leaderboard/submissions", () -> json(mutate("{\"runIds\": [" + run + "], \"dataset\": \"A\"}"))
                    .post("/api/leaderboard/submissions"));
            send(failures, round, "POST /api/session", () -> json(mutate("{\"username\": \"member-fuzzers\", \"password\": \"xyz\"}"))
                    .post("/api/session"));
            send(failures, round, "POST /api/signup", () -> json(mutate(
                    "{\"invitation\": \"tsi_abc\", \"username\": \"fuzzed\", \"password\": \"long enough password\"}"))
                    .post("/api/signup"));
            send(failures, round, "POST /api/style-sets", this::upload);
            send(failures, round, "POST /api/style-sets/import", () -> given().multiPart("archive", "set.zip", hostileZip(), "application/zip")
                    .post("/api/style-sets/import"));
            send(failures, round, "POST /api/evaluations", () -> given().multiPart("styleSet", String.valueOf(styleSet))
                    .multiPart("file", "submission.zip", hostileZip(), "application/zip").post("/api/evaluations"));
        }
        System.out.println("fuzz seed " + SEED + ", answers by status: " + statuses);
        assertTrue(failures.isEmpty(), "seed " + SEED + ": " + failures.size() + " failures\n" + String.join("\n", failures));
    }

    /** Sends one request; checks its status and, when refused, that nothing was stored. */
    private void send(List<String> failures, int round, String endpoint, Supplier<Response> request) throws IOException {
        Snapshot before = snapshot();
        Response answer = request.get();
        int status = answer.statusCode();
        statuses.merge(status, 1, Integer::sum);
        String what = "round " + round + " " + endpoint + " -> " + status + " " + abbreviate(answer.asString());
        boolean turnedAway = status == 401 && !endpoint.equals("POST /api/session") || answer.asString().contains("\"subject\":\"csrf\"");
        if (status >= 500 || turnedAway) {
            failures.add(what + (turnedAway ? ": turned away before the endpoint read it, so nothing was fuzzed" : ""));
        } else if (status >= 400) {
            Snapshot after = snapshot();
            if (!before.equals(after)) failures.add(what + ": stored data changed " + before + " -> " + after);
        } else if (endpoint.equals("POST /api/runs") || endpoint.endsWith("/rerun")) {
            // a mutation that is still a valid run: keep the test worker free
            given().post("/api/runs/" + answer.path("id") + "/cancel");
        }
    }

    record Snapshot(List<Long> rows, long files) {}

    private Snapshot snapshot() throws IOException {
        List<Long> rows = new ArrayList<>();
        for (String table : List.of("style_set", "style_image", "run", "leaderboard_submission", "evaluation", "account", "team")) {
            rows.add(pool.query("SELECT count(*) FROM " + table).execute().await().indefinitely().iterator().next().getLong(0));
        }
        Path artifacts = dataDir.resolve("artifacts");
        long files;
        try (Stream<Path> walk = Files.exists(artifacts) ? Files.walk(artifacts) : Stream.empty()) {
            files = walk.filter(Files::isRegularFile).count();
        }
        return new Snapshot(rows, files);
    }

    private RequestSpecification json(String body) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
    }

    /** A valid JSON text broken in one of several ways. */
    String mutate(String valid) {
        return switch (random.nextInt(10)) {
            case 0 -> valid.substring(0, random.nextInt(valid.length()));
            case 1 -> {
                char[] chars = valid.toCharArray();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) chars[random.nextInt(chars.length)] = (char) random.nextInt(0x3000);
                yield new String(chars);
            }
            case 2 -> valid.replaceFirst("\\d+", "9".repeat(40 + random.nextInt(200)));
            case 3 -> valid.replaceFirst(":\\s*[^,}]+", ": " + "[".repeat(100 + random.nextInt(400)) + "]".repeat(10));
            case 4 -> valid.replaceFirst(":\\s*\"[^\"]*\"", ": " + pick("null", "12", "[]", "{}", "true", "-0.0e999", "\"\""));
            case 5 -> valid.replaceFirst(":\\s*\\d+", ": " + pick("\"12\"", "null", "[1]", "1.5", "-1", "1e308", "{\"x\": 1}"));
            case 6 -> valid.replaceFirst("\"", "\"../../etc/passwd\\u0000" + "é".repeat(random.nextInt(50)));
            case 7 -> pick("", "null", "[]", "\"text\"", "{", "}", "{\"a\":", "\u0000\u0001", "{\"styleSetId\": {\"$gt\": 0}}");
            case 8 -> valid.replaceFirst("\\{", "{\"" + "k".repeat(1 + random.nextInt(300)) + "\": \"" + "v".repeat(random.nextInt(100_000)) + "\", ");
            default -> valid + pick(",", "}", "]", " garbage", "{}");
        };
    }

    /** A style set upload with a hostile name, prompt list or files. */
    private Response upload() {
        RequestSpecification r = given().multiPart("name", pick("ok", "", "../../x", "a".repeat(5000), "\u0000name", "<script>"))
                .multiPart("styleId", pick("00", "../..", "", "x".repeat(100), "0 1"));
        r.multiPart("prompts", mutate("{\"0\": \"Dolphin\", \"1\": \"Bread\"}"));
        try {
            for (int i = 0, n = random.nextInt(4); i < n; i++) {
                byte[] bytes = switch (random.nextInt(5)) {
                    case 0 -> png(4 + random.nextInt(30));
                    case 1 -> BadImages.truncatedPng();
                    case 2 -> BadImages.pngClaiming(1 << (14 + random.nextInt(3)), 1 << (14 + random.nextInt(3)));
                    case 3 -> randomBytes(1 + random.nextInt(5000));
                    default -> new byte[0];
                };
                r.multiPart("images", pick("apple.png", "../../escape.png", "/abs/olute.png", "a/b/c.png", "no_extension", ".png",
                        "x".repeat(300) + ".png", "dup.png"), bytes, pick("image/png", "image/jpeg", "application/octet-stream"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return r.post("/api/style-sets");
    }

    /** A zip with traversal names, absolute paths, empty or garbage entries, or not a zip at all. */
    private byte[] hostileZip() {
        try {
            if (random.nextInt(5) == 0) return randomBytes(random.nextInt(3000));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
                    String name = pick("09/images/apple.png", "09/prompt.json", "../../evil.png", "/etc/cron.d/x", "09/../../x",
                            "09/images/", "C:\\\\win.png", "09/Dolphin.png", "09/images/" + "n".repeat(400) + ".png");
                    zip.putNextEntry(new ZipEntry(name));
                    if (!name.endsWith("/")) {
                        zip.write(switch (random.nextInt(4)) {
                            case 0 -> png(6);
                            case 1 -> mutate("{\"0\": \"Dolphin\"}").getBytes(StandardCharsets.UTF_8);
                            case 2 -> BadImages.pngClaiming(40_000, 40_000);
                            default -> randomBytes(random.nextInt(2000));
                        });
                    }
                    zip.closeEntry();
                }
            }
            byte[] out = bytes.toByteArray();
            return random.nextInt(6) == 0 ? java.util.Arrays.copyOf(out, random.nextInt(out.length)) : out;
        } catch (IOException | IllegalArgumentException e) {
            return randomBytes(64);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] png(int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) image.setRGB(x, y, (x * 37 + y * 11) * 0x010203);
        return BadImages.png(image);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}

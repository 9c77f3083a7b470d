package tenshot.studio.fuzz;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * A bounded, seeded fuzz run of every upload and JSON endpoint: valid requests broken at random
 * (truncated, bytes flipped, deep nesting, huge numbers, wrong types, hostile file names and archives,
 * images that lie about their size). Every answer must be below 500. Every refused request must leave
 * the database rows and the artifact store's files exactly as they were, compared by content (a hash of
 * each table's rows and of each file). Every accepted request is read back and must be stored exactly as
 * it was sent. A failure prints the seed and the request; rerun with {@code -Dtenshot.fuzz.seed=<seed>}
 * to replay it.
 */
@QuarkusTest
class MalformedInputFuzzTest {

    static final long SEED = Long.getLong("tenshot.fuzz.seed", 20261203L);
    static final int ROUNDS = Integer.getInteger("tenshot.fuzz.rounds", 64);
    static final int MIN_REQUESTS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Tables compared row by row around each refused request, with the columns that change by themselves
     * left out: a refused sign-in counts the failed attempt on the account, by design; a job's state and
     * lease, and the teams' last claims ({@code team_claim}), belong to the workers.
     */
    private static final Map<String, String> TABLES = tables();

    private static Map<String, String> tables() {
        Map<String, String> t = new LinkedHashMap<>();
        for (String table : List.of("team", "team_quota", "style_set", "style_image", "run", "run_admission", "board_style_set",
                "leaderboard_dataset", "leaderboard_hidden_prompt", "leaderboard_hidden_score", "leaderboard_submission", "evaluation",
                "invitation", "api_token")) {
            t.put(table, "to_jsonb(t)");
        }
        t.put("account", "to_jsonb(t) - 'failed_logins' - 'locked_until'");
        t.put("job", "jsonb_build_object('id', t.id, 'kind', t.kind, 'run', t.run_id, 'team', t.team, 'priority', t.priority,"
                + " 'payload', t.payload, 'maxAttempts', t.max_attempts)");
        t.put("job_dependency", "to_jsonb(t)");
        return t;
    }

    /** Checks an accepted request against what the studio stored; returns what differs, or null. */
    @FunctionalInterface
    interface Stored {
        String check(Response answer) throws Exception;
    }

    @Inject
    Pool pool;

    @Inject
    tenshot.worker.Workers workers;

    @Inject
    tenshot.queue.JobQueue queue;

    @ConfigProperty(name = "tenshot.data-dir")
    Path dataDir;

    private final Random random = new Random(SEED);
    private final java.util.TreeMap<Integer, Integer> statuses = new java.util.TreeMap<>();
    private final Map<String, Integer> accepted = new java.util.TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private TestAccounts.Session member;
    private TestAccounts.Session organiser;
    private long styleSet;
    private long run;
    private long job;
    private int requests;
    /** The state after the last refused request, which is the state before the next one. */
    private Snapshot last;

    @AfterEach
    void visitor() {
        TestAccounts.signOut();
    }

    @Test
    void malformedInputsGetA4xxAndLeaveNothingBehindAndAcceptedOnesAreStoredAsSent() throws Exception {
        cancelEveryLiveJob();
        organiser = TestAccounts.operator();
        member = TestAccounts.member("fuzzers").forAllRequests();
        styleSet = given().multiPart("name", "fuzz base").multiPart("styleId", "09")
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", png(8), "image/png").multiPart("images", "blue_car.png", png(9), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().<Integer>path("id");
        run = given().contentType("application/json").body("{\"styleSetId\": " + styleSet + ", \"recipe\": \"baseline\"}")
                .when().post("/api/runs").then().statusCode(201).extract().<Integer>path("id");
        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);
        untilJobsEnded(run);
        job = given().get("/api/jobs?run=" + run).then().statusCode(200).extract().jsonPath().getLong("[0].id");

        long started = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            String runBody = mutate("{\"styleSetId\": " + styleSet
                    + ", \"recipe\": {\"base\": \"safe\", \"steps\": 20, \"rank\": 8}, \"baseModel\": \"demo-sd21\"}");
            send(round, "POST /api/runs", runBody, () -> json(runBody).post("/api/runs"), a -> storedRun(a, runBody, true));
            String rerun = mutate("{\"recipe\": {\"steps\": 30, \"flip\": true}}");
            send(round, "POST /api/runs/{id}/rerun", rerun, () -> json(rerun).post("/api/runs/" + run + "/rerun"),
                    a -> storedRun(a, rerun, false));
            String submission = mutate("{\"runIds\": [" + run + "], \"dataset\": \"A\"}");
            send(round, "POST /api/leaderboard/submissions", submission, () -> json(submission).post("/api/leaderboard/submissions"),
                    a -> "a submission of a cancelled run was accepted");
            String signIn = mutate("{\"username\": \"member-fuzzers\", \"password\": \"xyz\"}");
            send(round, "POST /api/session", signIn, () -> json(signIn).post("/api/session"),
                    a -> "a sign-in with a wrong password was accepted");
            String signUp = mutate("{\"invitation\": \"tsi_abc\", \"username\": \"fuzzed\", \"password\": \"long enough password\"}");
            send(round, "POST /api/signup", signUp, () -> json(signUp).post("/api/signup"),
                    a -> "a sign-up with an invitation that does not exist was accepted");
            String token = mutate("{\"name\": \"fuzz token\"}");
            send(round, "POST /api/tokens", token, () -> json(token).post("/api/tokens"), a -> storedToken(a, token));
            Upload upload = upload();
            send(round, "POST /api/style-sets", upload.toString(), () -> upload.request().post("/api/style-sets"),
                    a -> storedStyleSet(a.path("id").toString(), upload));
            Upload page = upload();
            send(round, "POST /style-sets", page.toString(), () -> page.request().redirects().follow(false).post("/style-sets"),
                    a -> a.statusCode() == 303 ? storedStyleSet(a.header("Location").replaceAll(".*/", ""), page)
                            : "the page upload answered " + a.statusCode() + " instead of a redirect");
            send(round, "POST /api/style-sets/import", "zip", () -> given().multiPart("archive", "set.zip", hostileZip(), "application/zip")
                    .post("/api/style-sets/import"), a -> "an archive without images was imported: " + a.asString());
            send(round, "POST /api/evaluations", "zip", () -> given().multiPart("styleSet", String.valueOf(styleSet))
                    .multiPart("file", "submission.zip", hostileZip(), "application/zip").post("/api/evaluations"),
                    a -> "a hostile archive was evaluated: " + a.asString());
            send(round, "POST /evaluations", "zip", () -> given().multiPart("styleSet", String.valueOf(styleSet))
                    .multiPart("file", "submission.zip", hostileZip(), "application/zip").redirects().follow(false)
                    .post("/evaluations"), a -> "a hostile archive was evaluated: " + a.statusCode());
            String priority = mutate("{\"priority\": 5}");
            send(round, "PUT /api/jobs/{id}/priority", priority, () -> organiser.call(() -> json(priority)
                    .put("/api/jobs/" + job + "/priority")), a -> storedPriority(priority));
            String invitation = mutate("{\"role\": \"member\", \"team\": \"fuzz-team\"}");
            send(round, "POST /api/invitations", invitation, () -> organiser.call(() -> json(invitation).post("/api/invitations")),
                    a -> storedInvitation(a, invitation));
            String quota = mutate("{\"concurrentRuns\": 3, \"gpuMinutesPerDay\": 60, \"submissionsPerDay\": 4}");
            send(round, "PUT /api/organiser/quotas/{team}", quota, () -> organiser.call(() -> json(quota)
                    .put("/api/organiser/quotas/fuzzers")), a -> storedQuota(quota));
            String split = mutate("{\"hidden\": {\"00\": [\"Dolphin\", \"Bread\"]}}");
            send(round, "PUT /api/leaderboard/datasets/{name}/split", split, () -> organiser.call(() -> json(split)
                    .put("/api/leaderboard/datasets/fuzz/split")), a -> storedSplit(split));
            String importPath = mutate("{\"path\": \"jittor-a\", \"namePrefix\": \"fuzz\"}");
            send(round, "POST /api/style-sets/import-path", importPath, () -> organiser.call(() -> json(importPath)
                    .post("/api/style-sets/import-path")), a -> "a path outside tenshot.import-root was imported: " + a.asString());
        }
        System.out.printf("fuzz seed %d: %d requests in %.1f s, answers by status: %s, accepted and checked: %s%n", SEED, requests,
                (System.nanoTime() - started) / 1e9, statuses, accepted);
        assertTrue(failures.isEmpty(), "seed " + SEED + ": " + failures.size() + " failures\n" + String.join("\n", failures));
        assertTrue(requests >= Math.min(MIN_REQUESTS, ROUNDS * 16), "only " + requests + " requests were sent");
    }

    /** Sends one request; checks its status, and that a refused one changed nothing and an accepted one is stored as sent. */
    private void send(int round, String endpoint, String sent, Supplier<Response> request, Stored stored) throws Exception {
        Snapshot before = last != null ? last : snapshot();
        last = null;
        Response answer = request.get();
        requests++;
        int status = answer.statusCode();
        statuses.merge(status, 1, Integer::sum);
        String what = "round " + round + " " + endpoint + " " + abbreviate(sent) + " -> " + status + " " + abbreviate(answer.asString());
        boolean turnedAway = status == 401 && !endpoint.equals("POST /api/session") || answer.asString().contains("\"subject\":\"csrf\"");
        if (status >= 500 || turnedAway) {
            failures.add(what + (turnedAway ? ": turned away before the endpoint read it, so nothing was fuzzed" : ""));
        } else if (status >= 400) {
            Snapshot after = snapshot();
            if (!before.equals(after)) failures.add(what + ": stored data changed: " + before.differences(after));
            else last = after;
        } else {
            accepted.merge(endpoint, 1, Integer::sum);
            String problem = stored.check(answer);
            if (problem != null) failures.add(what + ": accepted, but " + problem);
            if (endpoint.equals("POST /api/runs") || endpoint.endsWith("/rerun")) {
                // a mutation that is still a valid run: keep the test worker free, and let it save its
                // cancel checkpoint now rather than during the next request
                given().post("/api/runs/" + answer.path("id") + "/cancel");
                untilJobsEnded(answer.<Integer>path("id"));
            }
        }
    }

    /** Each table's rows and each stored file, by content. */
    record Snapshot(Map<String, String> tables, Map<String, String> files) {

        String differences(Snapshot after) {
            List<String> out = new ArrayList<>();
            tables.forEach((t, hash) -> {
                if (!hash.equals(after.tables.get(t))) out.add("table " + t);
            });
            java.util.Set<String> paths = new java.util.TreeSet<>(files.keySet());
            paths.addAll(after.files.keySet());
            for (String p : paths) {
                if (!java.util.Objects.equals(files.get(p), after.files.get(p))) {
                    out.add("file " + p + (files.containsKey(p) ? after.files.containsKey(p) ? " rewritten" : " deleted" : " added"));
                }
            }
            return String.join(", ", out);
        }
    }

    private Snapshot snapshot() throws IOException {
        StringBuilder sql = new StringBuilder("SELECT ");
        int i = 0;
        for (Map.Entry<String, String> t : TABLES.entrySet()) {
            if (i++ > 0) sql.append(", ");
            sql.append("(SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM (SELECT (").append(t.getValue())
                    .append(")::text AS r FROM ").append(t.getKey()).append(" t) rows)");
        }
        io.vertx.mutiny.sqlclient.Row row = pool.query(sql.toString()).execute().await().indefinitely().iterator().next();
        Map<String, String> tables = new LinkedHashMap<>();
        i = 0;
        for (String t : TABLES.keySet()) tables.put(t, row.getString(i++));
        Path artifacts = dataDir.resolve("artifacts");
        Map<String, String> files = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.exists(artifacts) ? Files.walk(artifacts) : Stream.empty()) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) files.put(artifacts.relativize(f).toString(), sha256(Files.readAllBytes(f)));
        }
        return new Snapshot(tables, files);
    }

    /** A run made or re-run from {@code sentText}: its style set, base model and every recipe field sent are as sent. */
    private String storedRun(Response answer, String sentText, boolean created) throws IOException {
        JsonNode sent = JSON.readTree(sentText);
        JsonNode stored = JSON.readTree(given().get("/api/runs/" + answer.path("id")).then().statusCode(200).extract().asString());
        List<String> differ = new ArrayList<>();
        if (created && !sent.path("styleSetId").asText().equals(stored.path("styleSetId").asText())) differ.add("styleSetId");
        if (sent.has("baseModel") && !sent.get("baseModel").equals(stored.get("baseModel"))) differ.add("baseModel");
        JsonNode recipe = sent.path("recipe");
        if (recipe.isObject()) {
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) recipe::fields) {
                if (field.getKey().equals("base")) continue;
                if (!sameValue(field.getValue(), stored.path("recipe").path(field.getKey()))) {
                    differ.add("recipe." + field.getKey() + " stored as " + stored.path("recipe").path(field.getKey()));
                }
            }
        }
        return differ.isEmpty() ? null : "stored differently: " + differ;
    }

    private String storedToken(Response answer, String sentText) throws IOException {
        JsonNode name = JSON.readTree(sentText).path("name");
        List<String> names = given().get("/api/tokens").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.id == " + answer.path("id") + " }.name");
        return names.size() == 1 && (sameValue(name, new com.fasterxml.jackson.databind.node.TextNode(names.get(0)))
                || (name.isTextual() || name.isBoolean()) && name.asText().strip().equals(names.get(0))) ? null : "token stored as " + names;
    }

    private String storedPriority(String sentText) throws IOException {
        int priority = JSON.readTree(sentText).path("priority").intValue();
        int stored = organiser.call(() -> given().get("/api/jobs/" + job).then().statusCode(200).extract().<Integer>path("priority"));
        return stored == priority ? null : "priority stored as " + stored;
    }

    private String storedInvitation(Response answer, String sentText) throws IOException {
        JsonNode sent = JSON.readTree(sentText);
        String role = sent.path("role").isTextual() && !sent.path("role").asText().isBlank() ? sent.path("role").asText().strip() : "member";
        String team = sent.path("team").isTextual() ? sent.path("team").asText().strip() : null;
        String storedRole = answer.path("role");
        String storedTeam = answer.path("team");
        return role.equalsIgnoreCase(storedRole) && java.util.Objects.equals(team == null || team.isEmpty() ? null : team, storedTeam)
                ? null : "invitation stored as role " + storedRole + ", team " + storedTeam;
    }

    private String storedQuota(String sentText) throws IOException {
        JsonNode sent = JSON.readTree(sentText);
        JsonNode stored = JSON.readTree(organiser.call(() -> given().get("/api/organiser/quotas/fuzzers").then().statusCode(200)
                .extract().asString()));
        List<String> differ = new ArrayList<>();
        for (String limit : List.of("concurrentRuns", "gpuMinutesPerDay", "submissionsPerDay")) {
            JsonNode value = sent.path(limit);
            boolean fromDefault = stored.path(limit).path("fromDefault").asBoolean();
            if (value.isMissingNode() || value.isNull() ? !fromDefault : fromDefault || !sameValue(value, stored.path(limit).path("value"))) {
                differ.add(limit + " stored as " + stored.path(limit));
            }
        }
        return differ.isEmpty() ? null : "stored differently: " + differ;
    }

    private String storedSplit(String sentText) throws IOException {
        // the hidden prompts of a style are a set: the studio keeps them sorted
        Map<String, java.util.Set<String>> sent = new java.util.TreeMap<>();
        JSON.readTree(sentText).path("hidden").fields().forEachRemaining(e -> {
            java.util.Set<String> prompts = new java.util.TreeSet<>();
            e.getValue().forEach(p -> prompts.add(p.asText()));
            sent.put(e.getKey(), prompts);
        });
        Map<String, java.util.Set<String>> stored = new java.util.TreeMap<>();
        JSON.readTree(organiser.call(() -> given().get("/api/leaderboard/datasets/fuzz").then().statusCode(200).extract().asString()))
                .path("hidden").fields().forEachRemaining(e -> {
                    java.util.Set<String> prompts = new java.util.TreeSet<>();
                    e.getValue().forEach(p -> prompts.add(p.asText()));
                    stored.put(e.getKey(), prompts);
                });
        return sent.equals(stored) ? null : "hidden prompts stored as " + stored;
    }

    /** A style set made from {@code sent}: name, style id, prompts and every image's bytes as sent. */
    private String storedStyleSet(String id, Upload sent) throws IOException {
        JsonNode stored = JSON.readTree(given().get("/api/style-sets/" + id).then().statusCode(200).extract().asString());
        List<String> differ = new ArrayList<>();
        if (!sent.name().equals(stored.path("name").asText())) differ.add("name " + abbreviate(stored.path("name").asText()));
        // no style id given: the upload API's documented default, the name when it is a valid id, else "00"
        String styleId = !sent.styleId().isEmpty() ? sent.styleId() : sent.name().matches("[A-Za-z0-9_-]{1,32}") ? sent.name() : "00";
        if (!styleId.equals(stored.path("styleId").asText())) differ.add("styleId " + stored.path("styleId"));
        List<String> prompts = new ArrayList<>();
        JSON.readTree(sent.prompts()).elements().forEachRemaining(p -> prompts.add(p.asText()));
        List<String> storedPrompts = new ArrayList<>();
        stored.path("prompts").forEach(p -> storedPrompts.add(p.asText()));
        if (!prompts.equals(storedPrompts)) differ.add("prompts " + storedPrompts);
        List<String> hashes = sent.images().stream().map(MalformedInputFuzzTest::sha256).sorted().toList();
        List<String> storedHashes = new ArrayList<>();
        stored.path("images").forEach(image -> storedHashes.add(image.path("sha256").asText()));
        if (!hashes.equals(storedHashes.stream().sorted().toList())) differ.add("images " + storedHashes);
        return differ.isEmpty() ? null : "stored differently: " + differ;
    }

    private static boolean sameValue(JsonNode sent, JsonNode stored) {
        if (sent.isNumber() && stored.isNumber()) return sent.decimalValue().compareTo(stored.decimalValue()) == 0;
        // "12" for a number is read as 12, and 12 for a text as "12": the same value, no digit lost
        if (sent.isTextual() != stored.isTextual() && (sent.isNumber() || stored.isNumber())) {
            try {
                java.math.BigDecimal a = sent.isNumber() ? sent.decimalValue() : new java.math.BigDecimal(sent.asText());
                java.math.BigDecimal b = stored.isNumber() ? stored.decimalValue() : new java.math.BigDecimal(stored.asText());
                return a.compareTo(b) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return sent.equals(stored);
    }

    /**
     * Waits until no job of the run is queued or running and no worker of this process still runs one:
     * a cancelled run's status changes at once, and a job the reaper took back (its lease or progress
     * lapsed on a busy machine) reads as ended while its handler may still be saving a checkpoint.
     */
    private void untilJobsEnded(long run) throws InterruptedException {
        untilEnded("run_id = " + run, "the jobs of run " + run);
    }

    /**
     * Test classes before this one share its database, and a run they left queued (a retry waiting out its
     * backoff) would write checkpoints into the store in the middle of the fuzzing. Every live job is
     * cancelled and waited for first, so only the fuzzed requests can change what is stored.
     */
    private void cancelEveryLiveJob() throws InterruptedException {
        List<Long> live = new ArrayList<>();
        pool.query("SELECT id FROM job WHERE state IN ('queued', 'running')").executeAndAwait()
                .forEach(row -> live.add(row.getLong("id")));
        for (long id : live) queue.cancel(id, "cancelled before the fuzz test").await().indefinitely();
        untilEnded("true", "the jobs other tests left");
    }

    private void untilEnded(String where, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Long> live = new ArrayList<>();
            pool.query("SELECT id FROM job WHERE state IN ('queued', 'running') AND " + where).executeAndAwait()
                    .forEach(row -> live.add(row.getLong("id")));
            List<Long> ids = new ArrayList<>();
            pool.query("SELECT id FROM job WHERE " + where).executeAndAwait().forEach(row -> ids.add(row.getLong("id")));
            boolean handlerRunning = workers.local().stream()
                    .anyMatch(w -> w.currentJob().isPresent() && ids.contains(w.currentJob().getAsLong()));
            if (!handlerRunning && live.isEmpty()) return;
            Thread.sleep(100);
        }
        throw new AssertionError(what + " did not end within 2 minutes of their cancel");
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** A style set upload: what it sends, and the request that sends it. */
    record Upload(String name, String styleId, String prompts, List<byte[]> images, List<String> fileNames, List<String> types) {

        RequestSpecification request() {
            RequestSpecification r = given().multiPart("name", name).multiPart("styleId", styleId).multiPart("prompts", prompts);
            for (int i = 0; i < images.size(); i++) r.multiPart("images", fileNames.get(i), images.get(i), types.get(i));
            return r;
        }

        @Override
        public String toString() {
            return "upload name=" + abbreviate(name) + " styleId=" + styleId + " prompts=" + abbreviate(prompts) + " files=" + fileNames;
        }
    }

    /** A style set upload: one in four well formed (so the stored set is checked), the rest with a hostile name, prompt list or files. */
    private Upload upload() throws IOException {
        if (random.nextInt(4) == 0) {
            List<byte[]> images = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                images.add(png(4 + random.nextInt(30)));
                names.add(List.of("red_apple.png", "blue_car.png", "old_boat.png").get(i));
            }
            return new Upload(pick("fuzz set", "ok", "Übung 3"), pick("00", "07", "set_a"),
                    pick("{\"0\": \"Dolphin\", \"1\": \"Bread\"}", "[\"Dolphin\"]", "{\"3\": \"Tall tree\"}"),
                    images, names, names.stream().map(n -> "image/png").toList());
        }
        String name = pick("ok", "", "../../x", "a".repeat(5000), "\u0000name", "<script>");
        String styleId = pick("00", "../..", "", "x".repeat(100), "0 1");
        String prompts = mutate("{\"0\": \"Dolphin\", \"1\": \"Bread\"}");
        List<byte[]> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int i = 0, n = random.nextInt(4); i < n; i++) {
            images.add(switch (random.nextInt(5)) {
                case 0 -> png(4 + random.nextInt(30));
                case 1 -> BadImages.truncatedPng();
                case 2 -> BadImages.pngClaiming(1 << (14 + random.nextInt(3)), 1 << (14 + random.nextInt(3)));
                case 3 -> randomBytes(1 + random.nextInt(5000));
                default -> new byte[0];
            });
            names.add(pick("apple.png", "../../escape.png", "/abs/olute.png", "a/b/c.png", "no_extension", ".png",
                    "x".repeat(300) + ".png", "dup.png"));
            types.add(pick("image/png", "image/jpeg", "application/octet-stream"));
        }
        return new Upload(name, styleId, prompts, images, names, types);
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

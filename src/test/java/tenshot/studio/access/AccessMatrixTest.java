package tenshot.studio.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tenshot.store.ArtifactStore;
import tenshot.studio.jobs.RunSpec;

/**
 * Every endpoint and page against every role: a visitor, a member of the team that owns the things
 * asked for, a member of another team, and an organiser (of a third team). Each endpoint the studio
 * serves must have a row here, so a new endpoint fails this test until someone decides who may call it.
 * Ids of another team's things must answer 404 as if they did not exist.
 */
@QuarkusTest
class AccessMatrixTest {

    /** What a role gets from an endpoint. */
    enum Expect {
        /** Anyone, signed in or not: no access check at all. */
        PUBLIC,
        /** Past access control: whatever the endpoint answers, but not 401, 403 or "no such thing". */
        OK,
        /** A visitor is asked to sign in: 401 from the API, a redirect to /login from pages. */
        SIGN_IN,
        /** Another team's thing: 404 exactly as for an id that does not exist. */
        HIDDEN,
        /** The role may not: 403 naming the role. */
        FORBIDDEN
    }

    /** One endpoint's expectations for visitor, owner, other team's member and organiser. */
    record Row(String endpoint, Expect visitor, Expect owner, Expect other, Expect organiser,
               java.util.function.Function<RequestSpecification, Response> request) {}

    @Inject
    Pool pool;

    @Inject
    ArtifactStore store;

    @AfterEach
    void visitor() {
        TestAccounts.signOut();
    }

    @Test
    void everyEndpointGivesEachRoleWhatTheMatrixSays() throws Exception {
        Fixtures f = fixtures();
        List<String> wrong = new ArrayList<>();
        for (Row row : rows(f)) {
            if (row.endpoint().equals("GET /api/events")) continue; // a stream that never ends: checked below
            check(row, "visitor", row.visitor(), visitorSpec(), wrong);
            check(row, "other team", row.other(), TestAccounts.member("matrix-other").spec(), wrong);
            check(row, "organiser", row.organiser(), TestAccounts.signIn("matrix-organiser", AccountRole.ORGANISER, "matrix-org").spec(), wrong);
            check(row, "owner", row.owner(), TestAccounts.member("matrix-own").spec(), wrong);
        }
        given().spec(visitorSpec()).get("/api/events").then().statusCode(401);
        TestAccounts.member("matrix-own").call(() -> given().post("/api/runs/" + f.run() + "/cancel").then().statusCode(200));
        assertTrue(wrong.isEmpty(), wrong.size() + " unexpected answers:\n" + String.join("\n", wrong));
    }

    @Test
    void everyEndpointHasARow() throws Exception {
        TreeSet<String> served = endpoints();
        TreeSet<String> inMatrix = new TreeSet<>();
        for (Row row : rows(new Fixtures(1, 1, 1, 1, 1, "x"))) inMatrix.add(row.endpoint());
        TreeSet<String> missing = new TreeSet<>(served);
        missing.removeAll(inMatrix);
        TreeSet<String> stale = new TreeSet<>(inMatrix);
        stale.removeAll(served);
        assertTrue(missing.isEmpty(), "endpoints without a row in the access matrix: " + missing);
        assertTrue(stale.isEmpty(), "rows for endpoints that are not served: " + stale);
    }

    private static void check(Row row, String role, Expect expect, RequestSpecification as, List<String> wrong) {
        RequestSpecification global = RestAssured.requestSpecification;
        RestAssured.requestSpecification = null;
        Response answer;
        try {
            answer = row.request().apply(given().spec(as).redirects().follow(false).header("Accept", accept(row)));
        } finally {
            RestAssured.requestSpecification = global;
        }
        int status = answer.statusCode();
        String location = answer.header("Location");
        String body = answer.asString();
        boolean signIn = status == 401 || (status == 303 && location != null && location.contains("/login?next="));
        boolean hidden = status == 404 && body.matches("(?s).*(no [a-z ]+ with id|does not exist).*");
        boolean forbidden = status == 403 && body.contains("\"subject\":\"role\"");
        boolean csrfRefused = status == 403 && body.contains("\"subject\":\"csrf\"");
        // other 403s are the endpoint's own answer (e.g. server-side import switched off), not access control
        boolean ok = switch (expect) {
            case PUBLIC -> status < 500 && !forbidden && !csrfRefused && !(status == 303 && signIn);
            case OK -> status < 500 && status != 401 && !forbidden && !csrfRefused && !hidden && !signIn;
            case SIGN_IN -> signIn;
            case HIDDEN -> hidden;
            case FORBIDDEN -> forbidden;
        };
        if (!ok) {
            wrong.add(row.endpoint() + " as " + role + ": expected " + expect + ", got " + status
                    + (location == null ? "" : " -> " + location) + " " + body.substring(0, Math.min(200, body.length())));
        }
    }

    private static String accept(Row row) {
        String path = row.endpoint().substring(row.endpoint().indexOf(' ') + 1);
        return path.startsWith("/api/") ? "application/json, image/png, application/zip, text/csv, */*" : "text/html";
    }

    /** A visitor's request: no session, but the visitor CSRF cookie the sign-in form would have set. */
    private static RequestSpecification visitorSpec() {
        return TestAccounts.fresh().addCookie(SessionCookies.VISITOR_CSRF, "visitor-token")
                .addHeader(AccessFilter.CSRF_HEADER, "visitor-token").build();
    }

    /** The owner's things every row asks for. */
    record Fixtures(long styleSet, long run, long job, long token, long evaluation, String prompt) {}

    private Fixtures fixtures() throws Exception {
        TestAccounts.Session owner = TestAccounts.member("matrix-own");
        owner.forAllRequests();
        long set = given().multiPart("name", "matrix set").multiPart("styleId", "07")
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", png(), "image/png")
                .multiPart("images", "blue_car.png", png(), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().<Integer>path("id");
        long run = given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"baseline\", \"steps\": 2}}")
                .when().post("/api/runs").then().statusCode(201).extract().<Integer>path("id");
        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);
        long job = given().get("/api/jobs?run=" + run).then().statusCode(200).extract().<Integer>path("[0].id");
        long token = given().contentType("application/json").body("{\"name\": \"matrix\"}").when().post("/api/tokens")
                .then().statusCode(201).extract().<Integer>path("id");
        TestAccounts.signOut();
        long team = pool.preparedQuery("SELECT team_id FROM run WHERE id = $1").execute(Tuple.of(run)).await().indefinitely()
                .iterator().next().getLong(0);
        long evaluation = pool.preparedQuery("INSERT INTO evaluation (team_id, style_set_id, style_set_ids, job_id, images) VALUES ($1, $2, $2::text, $3, 2) RETURNING id")
                .execute(Tuple.of(team, set, job)).await().indefinitely().iterator().next().getLong(0);
        java.nio.file.Path file = Files.createTempFile("matrix", ".bin");
        Files.write(file, png());
        for (String name : List.of(RunSpec.GRID, RunSpec.LORA, RunSpec.ZIP, RunSpec.CONFIG,
                RunSpec.IMAGES + "Dolphin.png", RunSpec.IMAGES + "Bread.png")) {
            store.put(RunSpec.prefix(run) + name, file);
        }
        return new Fixtures(set, run, job, token, evaluation, "Dolphin");
    }

    private static List<Row> rows(Fixtures f) throws IOException {
        Expect P = Expect.PUBLIC, O = Expect.OK, S = Expect.SIGN_IN, H = Expect.HIDDEN, F = Expect.FORBIDDEN;
        String json = "application/json";
        String runBody = "{\"styleSetId\": " + f.styleSet() + ", \"recipe\": \"baseline\"}";
        byte[] zip = zipWithOneImage();
        List<Row> rows = new ArrayList<>();
        // account API and pages
        rows.add(new Row("POST /api/session", P, P, P, P, r -> r.contentType(json).body("{}").post("/api/session")));
        rows.add(new Row("DELETE /api/session", S, O, O, O, r -> r.delete("/api/session")));
        rows.add(new Row("DELETE /api/sessions", S, O, O, O, r -> r.delete("/api/sessions")));
        rows.add(new Row("GET /api/me", S, O, O, O, r -> r.get("/api/me")));
        rows.add(new Row("POST /api/signup", P, P, P, P, r -> r.contentType(json).body("{}").post("/api/signup")));
        rows.add(new Row("GET /api/tokens", S, O, O, O, r -> r.get("/api/tokens")));
        rows.add(new Row("POST /api/tokens", S, O, O, O, r -> r.contentType(json).body("{\"name\": \"m\"}").post("/api/tokens")));
        rows.add(new Row("DELETE /api/tokens/{id}", S, O, H, H, r -> r.delete("/api/tokens/" + f.token())));
        rows.add(new Row("POST /api/invitations", S, F, F, O, r -> r.contentType(json).body("{\"role\": \"member\", \"team\": \"matrix-invited\"}").post("/api/invitations")));
        rows.add(new Row("GET /api/audit", S, F, F, O, r -> r.get("/api/audit")));
        rows.add(new Row("GET /login", P, P, P, P, r -> r.get("/login")));
        rows.add(new Row("POST /login", P, P, P, P, r -> r.formParam("username", "nobody").formParam("password", "wrong").post("/login")));
        rows.add(new Row("POST /logout", S, O, O, O, r -> r.post("/logout")));
        rows.add(new Row("GET /signup", P, P, P, P, r -> r.get("/signup")));
        rows.add(new Row("POST /signup", P, P, P, P, r -> r.formParam("username", "x").post("/signup")));
        rows.add(new Row("GET /account", S, O, O, O, r -> r.get("/account")));
        rows.add(new Row("POST /account/tokens", S, O, O, O, r -> r.formParam("name", "page token").post("/account/tokens")));
        rows.add(new Row("POST /account/tokens/{id}/revoke", S, O, H, H, r -> r.post("/account/tokens/" + f.token() + "/revoke")));
        rows.add(new Row("POST /account/sessions/end", S, O, O, O, r -> r.post("/account/sessions/end")));
        rows.add(new Row("POST /account/invitations", S, F, F, O, r -> r.formParam("role", "member").formParam("team", "matrix-invited").post("/account/invitations")));
        // studio pages
        rows.add(new Row("GET /", P, P, P, P, r -> r.get("/")));
        rows.add(new Row("GET /style-sets", S, O, O, O, r -> r.get("/style-sets")));
        rows.add(new Row("POST /style-sets", S, O, O, O, r -> r.multiPart("name", "x").post("/style-sets")));
        rows.add(new Row("GET /style-sets/{id}", S, O, H, H, r -> r.get("/style-sets/" + f.styleSet())));
        rows.add(new Row("GET /style-sets/{id}/compare", S, O, H, H, r -> r.get("/style-sets/" + f.styleSet() + "/compare")));
        rows.add(new Row("GET /runs", S, O, O, O, r -> r.get("/runs")));
        rows.add(new Row("POST /runs", S, O, H, H, r -> r.formParam("styleSetId", f.styleSet()).formParam("recipe", "no-such-preset").post("/runs")));
        rows.add(new Row("GET /runs/{id}", S, O, H, H, r -> r.get("/runs/" + f.run())));
        rows.add(new Row("POST /runs/{id}/cancel", S, O, H, H, r -> r.post("/runs/" + f.run() + "/cancel")));
        rows.add(new Row("POST /runs/{id}/retry", S, O, H, H, r -> r.post("/runs/" + f.run() + "/retry")));
        rows.add(new Row("GET /leaderboard", P, P, P, P, r -> r.get("/leaderboard")));
        rows.add(new Row("GET /leaderboard/teams/{team}", P, P, P, P, r -> r.get("/leaderboard/teams/matrix-own")));
        rows.add(new Row("POST /leaderboard/submissions", S, O, H, H, r -> r.formParam("runId", f.run()).formParam("dataset", "matrix").post("/leaderboard/submissions")));
        // style sets
        rows.add(new Row("GET /api/style-sets", S, O, O, O, r -> r.get("/api/style-sets")));
        rows.add(new Row("POST /api/style-sets", S, O, O, O, r -> r.multiPart("name", "x").post("/api/style-sets")));
        rows.add(new Row("GET /api/style-sets/{id}", S, O, H, H, r -> r.get("/api/style-sets/" + f.styleSet())));
        rows.add(new Row("GET /api/style-sets/{id}/images/{position}", S, O, H, H, r -> r.get("/api/style-sets/" + f.styleSet() + "/images/0")));
        rows.add(new Row("POST /api/style-sets/import", S, O, O, O, r -> r.multiPart("namePrefix", "x").post("/api/style-sets/import")));
        rows.add(new Row("POST /api/style-sets/import-path", S, F, F, O, r -> r.contentType(json).body("{\"path\": \"no/such/folder\"}").post("/api/style-sets/import-path")));
        // runs
        rows.add(new Row("GET /api/recipes", S, O, O, O, r -> r.get("/api/recipes")));
        rows.add(new Row("GET /api/models", S, O, O, O, r -> r.get("/api/models")));
        rows.add(new Row("POST /api/runs", S, O, H, H, r -> r.contentType(json).body(runBody.replace("baseline", "no-such-preset")).post("/api/runs")));
        rows.add(new Row("GET /api/runs", S, O, O, O, r -> r.get("/api/runs")));
        rows.add(new Row("GET /api/runs/{id}", S, O, H, H, r -> r.get("/api/runs/" + f.run())));
        rows.add(new Row("POST /api/runs/{id}/cancel", S, O, H, H, r -> r.post("/api/runs/" + f.run() + "/cancel")));
        rows.add(new Row("POST /api/runs/{id}/retry", S, O, H, H, r -> r.post("/api/runs/" + f.run() + "/retry")));
        rows.add(new Row("POST /api/runs/{id}/rerun", S, O, H, H, r -> r.contentType(json).body("{\"recipe\": {\"steps\": \"many\"}}").post("/api/runs/" + f.run() + "/rerun")));
        rows.add(new Row("GET /api/runs/{id}/images/{prompt}.png", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/images/" + f.prompt() + ".png")));
        rows.add(new Row("GET /api/runs/{id}/grid.png", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/grid.png")));
        rows.add(new Row("GET /api/runs/{id}/lora.safetensors", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/lora.safetensors")));
        rows.add(new Row("GET /api/runs/{id}/styles/{styleId}/images/{prompt}.png", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/styles/00/images/" + f.prompt() + ".png")));
        rows.add(new Row("GET /api/runs/{id}/styles/{styleId}/grid.png", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/styles/00/grid.png")));
        rows.add(new Row("GET /api/runs/{id}/styles/{styleId}/lora.safetensors", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/styles/00/lora.safetensors")));
        rows.add(new Row("GET /api/runs/{id}/submission.zip", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/submission.zip")));
        rows.add(new Row("GET /api/runs/{id}/config.json", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/config.json")));
        rows.add(new Row("GET /api/runs/{id}/scorecard.json", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/scorecard.json")));
        rows.add(new Row("GET /api/submission.zip", S, O, H, H, r -> r.get("/api/submission.zip?runs=" + f.run())));
        rows.add(new Row("GET /api/runs/{id}/scorecard", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/scorecard")));
        rows.add(new Row("GET /api/runs/{id}/scorecard.csv", S, O, H, H, r -> r.get("/api/runs/" + f.run() + "/scorecard.csv")));
        // jobs and workers: organisers run the servers and see every team's jobs
        rows.add(new Row("GET /api/jobs", S, O, O, O, r -> r.get("/api/jobs")));
        rows.add(new Row("GET /api/jobs/{id}", S, O, H, O, r -> r.get("/api/jobs/" + f.job())));
        rows.add(new Row("POST /api/jobs/{id}/cancel", S, O, H, O, r -> r.post("/api/jobs/" + f.job() + "/cancel")));
        rows.add(new Row("POST /api/jobs/{id}/retry", S, O, H, O, r -> r.post("/api/jobs/" + f.job() + "/retry")));
        rows.add(new Row("PUT /api/jobs/{id}/priority", S, F, F, O, r -> r.contentType(json).body("{\"priority\": 5}").put("/api/jobs/" + f.job() + "/priority")));
        rows.add(new Row("GET /api/jobs/{id}/preview", S, O, H, O, r -> r.get("/api/jobs/" + f.job() + "/preview")));
        rows.add(new Row("GET /api/queue", S, O, O, O, r -> r.get("/api/queue")));
        rows.add(new Row("GET /api/workers", S, O, O, O, r -> r.get("/api/workers")));
        rows.add(new Row("GET /api/events", S, O, O, O, r -> r.get("/api/events")));
        // leaderboard and evaluations
        rows.add(new Row("GET /api/leaderboard", P, P, P, P, r -> r.get("/api/leaderboard")));
        rows.add(new Row("POST /api/leaderboard/submissions", S, O, H, H, r -> r.contentType(json).body("{\"runIds\": [" + f.run() + "], \"dataset\": \"matrix\"}").post("/api/leaderboard/submissions")));
        rows.add(new Row("GET /api/leaderboard/datasets/{name}", P, P, P, P, r -> r.get("/api/leaderboard/datasets/matrix")));
        rows.add(new Row("PUT /api/leaderboard/datasets/{name}/split", S, F, F, O, r -> r.contentType(json).body("{\"hidden\": {}}").put("/api/leaderboard/datasets/matrix/split")));
        rows.add(new Row("POST /api/leaderboard/datasets/{name}/reveal", S, F, F, O, r -> r.post("/api/leaderboard/datasets/matrix/reveal")));
        rows.add(new Row("GET /api/leaderboard/teams/{team}/submissions", P, P, P, P, r -> r.get("/api/leaderboard/teams/matrix-own/submissions")));
        rows.add(new Row("POST /api/evaluations", S, O, H, H, r -> r.multiPart("styleSet", String.valueOf(f.styleSet())).multiPart("file", "s.zip", zip, "application/zip").post("/api/evaluations")));
        rows.add(new Row("GET /evaluations", S, O, O, O, r -> r.get("/evaluations")));
        rows.add(new Row("POST /evaluations", S, O, H, H, r -> r.multiPart("styleSet", String.valueOf(f.styleSet())).multiPart("file", "s.zip", zip, "application/zip").post("/evaluations")));
        rows.add(new Row("GET /evaluations/{id}", S, O, H, H, r -> r.get("/evaluations/" + f.evaluation())));
        rows.add(new Row("GET /api/evaluations/{id}", S, O, H, H, r -> r.get("/api/evaluations/" + f.evaluation())));
        rows.add(new Row("GET /api/evaluations/{id}/scorecard.csv", S, O, H, H, r -> r.get("/api/evaluations/" + f.evaluation() + "/scorecard.csv")));
        // quotas
        rows.add(new Row("GET /api/quota", S, O, O, O, r -> r.get("/api/quota")));
        rows.add(new Row("GET /api/organiser/quotas", S, F, F, O, r -> r.get("/api/organiser/quotas")));
        rows.add(new Row("GET /api/organiser/quotas/{team}", S, F, F, O, r -> r.get("/api/organiser/quotas/matrix-own")));
        rows.add(new Row("PUT /api/organiser/quotas/{team}", S, F, F, O, r -> r.contentType(json).body("{}").put("/api/organiser/quotas/matrix-own")));
        rows.add(new Row("DELETE /api/organiser/quotas/{team}", S, F, F, O, r -> r.delete("/api/organiser/quotas/matrix-own")));
        return rows;
    }

    /** "METHOD /path" of every JAX-RS resource method the studio serves, from the compiled classes. */
    private static TreeSet<String> endpoints() throws Exception {
        java.nio.file.Path classes = java.nio.file.Path.of(AccessMatrixTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().resolve("classes");
        TreeSet<String> out = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("tenshot"))) {
            for (java.nio.file.Path file : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, AccessMatrixTest.class.getClassLoader());
                Path root = type.getAnnotation(Path.class);
                if (root == null) continue;
                for (Method m : type.getDeclaredMethods()) {
                    String verb = null;
                    for (Annotation a : m.getAnnotations()) {
                        HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
                        if (http != null) verb = http.value();
                    }
                    if (verb == null) continue;
                    Path sub = m.getAnnotation(Path.class);
                    out.add(verb + " " + join(root.value(), sub == null ? "" : sub.value()));
                }
            }
        }
        return out;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) image.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] zipWithOneImage() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("07/Dolphin.png"));
            zip.write(png());
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}

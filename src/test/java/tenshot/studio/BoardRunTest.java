package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.testing.Fixtures;

/**
 * Board runs on the demo model on the CPU, through the HTTP API and the real queue: two styles of the
 * A board trained in shared UNet passes, generated together, zipped in the challenge layout and scored
 * on one scorecard; and a board cancelled mid-training that resumes every style from its checkpoint.
 */
@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class BoardRunTest {

    private static final io.restassured.config.RestAssuredConfig DOUBLES = io.restassured.RestAssured.config()
            .jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                    .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));

    private static final String RECIPE = "{\"base\": \"baseline\", \"steps\": %d, \"resolution\": 64, \"checkpointEvery\": 1, "
            + "\"previewEvery\": 0, \"generation\": {\"steps\": 2}}";

    private static int upload(String name, String styleId) throws Exception {
        return upload(name, styleId, Files.readAllBytes(Fixtures.dataset("jittor-a/" + styleId).resolve("prompt.json")));
    }

    /** Style {@code styleId} of the A board with these prompts (a {@code prompt.json}). */
    private static int upload(String name, String styleId, byte[] promptJson) throws Exception {
        Path style = Fixtures.dataset("jittor-a/" + styleId);
        RequestSpecification upload = given().multiPart("name", name).multiPart("styleId", styleId)
                .multiPart("prompts", "prompt.json", promptJson, "application/json");
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.sorted().toList()) {
                upload = upload.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        return upload.when().post("/api/style-sets").then().statusCode(201).extract().path("id");
    }

    private static int startBoard(List<Integer> sets, int steps) {
        return given().contentType("application/json")
                .body("{\"styleSetIds\": " + sets + ", \"recipe\": " + RECIPE.formatted(steps) + "}")
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
    }

    private static Map<String, Object> job(JsonPath view, String kind) {
        List<Map<String, Object>> jobs = view.getList("jobs");
        return jobs.stream().filter(j -> kind.equals(j.get("kind"))).findFirst().orElseThrow();
    }

    @Test
    void boardOfTwoStylesToOneZipAndOneScorecard() throws Exception {
        int a = upload("board-00", "00");
        int b = upload("board-01", "01");
        int run = startBoard(List.of(a, b), 2);
        JsonPath view = RunPolling.untilEnded(run);
        assertEquals("SUCCEEDED", view.getString("status"), view.getString("error"));
        List<Map<String, Object>> jobs = view.getList("jobs");
        assertEquals(List.of("TRAIN", "GENERATE", "ASSEMBLE", "SCORE"), jobs.stream().map(j -> j.get("kind")).toList(),
                "one job of each kind for the whole board");
        assertEquals(List.of("00", "01"), view.getList("board.styleId"));

        JsonPath train = given().get("/api/jobs/" + job(view, "TRAIN").get("id")).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("00", "01"), train.getList("result.styles.styleId"));
        assertEquals(List.of(2, 2), train.getList("result.styles.steps"));

        byte[] zip = given().get("/api/runs/" + run + "/submission.zip").then().statusCode(200).extract().asByteArray();
        Set<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) names.add(e.getName());
        }
        Set<String> expected = new TreeSet<>();
        for (String style : List.of("00", "01")) {
            for (String prompt : view.getList("board.find { it.styleId == '" + style + "' }.images.prompt", String.class)) {
                expected.add(style + "/" + prompt + ".png");
            }
        }
        assertEquals(50, expected.size(), "25 prompts per style");
        expected.add("config.json");
        assertEquals(expected, names);

        String firstImage = view.getString("board[1].images[0].url");
        given().get(firstImage).then().statusCode(200).contentType("image/png");
        given().get(view.getString("board[0].grid")).then().statusCode(200).contentType("image/png");
        given().header("Range", "bytes=0-7").get(view.getString("board[1].lora")).then().statusCode(206);
        given().get("/api/runs/" + run + "/styles/99/grid.png").then().statusCode(404);

        JsonPath card = given().get("/api/runs/" + run + "/scorecard.json").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("00", "01"), card.getList("styles.style"), card.prettify());

        // each style's training as the TRAIN job reported it last, with the preview of its last step
        List<Map<String, Object>> parts = train.getList("progress.parts");
        assertEquals(List.of("00", "01"), parts.stream().map(p -> p.get("name")).toList());
        for (Map<String, Object> part : parts) {
            assertEquals(2, part.get("step"), part.toString());
            assertEquals(2, part.get("total"), part.toString());
            assertTrue(((Number) part.get("loss")).doubleValue() > 0, part.toString());
        }
        assertEquals(List.of(2, 2), view.getList("board.training.step"));
        String preview = view.getString("board[1].training.preview");
        assertTrue(preview.contains("part=01"), preview);
        given().get(preview).then().statusCode(200).contentType("image/png");
        given().get("/api/jobs/" + job(view, "TRAIN").get("id") + "/preview?part=99").then().statusCode(404);

        pageShowsEveryStyleWithoutScripts(run);
        submitsAsOneLeaderboardRow(run);
    }

    /**
     * StyleID on a board: GENERATE makes every style's content latents with its own adapter, then stylises each
     * style's prompts with that style's own images; the zip, grids and scorecard are as any board's.
     */
    @Test
    void boardWithStyleIdInjectsEachStylesImages() throws Exception {
        byte[] prompts = "{\"0\": \"Dolphin\", \"1\": \"Bread\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int a = upload("board-styleid-00", "00", prompts);
        int b = upload("board-styleid-01", "01", prompts);
        String recipe = "{\"base\": \"baseline\", \"steps\": 1, \"resolution\": 64, \"checkpointEvery\": 0, \"previewEvery\": 0, "
                + "\"generation\": {\"steps\": 2, \"styleInjection\": {}}}";
        int run = given().contentType("application/json").body("{\"styleSetIds\": [" + a + ", " + b + "], \"recipe\": " + recipe + "}")
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        JsonPath view = RunPolling.untilEnded(run);
        assertEquals("SUCCEEDED", view.getString("status"), view.getString("error"));
        JsonPath generate = given().get("/api/jobs/" + job(view, "GENERATE").get("id")).then().statusCode(200).extract().jsonPath();
        assertEquals("injecting style", generate.getString("progress.phase"), generate.prettify());
        assertEquals(4, generate.getInt("progress.step"));
        assertEquals(4, generate.getInt("progress.total"));

        byte[] zip = given().get("/api/runs/" + run + "/submission.zip").then().statusCode(200).extract().asByteArray();
        Set<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertEquals(new TreeSet<>(List.of("00/Bread.png", "00/Dolphin.png", "01/Bread.png", "01/Dolphin.png", "config.json")), names);
        given().get(view.getString("board[1].grid")).then().statusCode(200).contentType("image/png");
        JsonPath card = given().get("/api/runs/" + run + "/scorecard.json").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("00", "01"), card.getList("styles.style"), card.prettify());
    }

    /** The board page as the server renders it: each style's training in words, its downloads and images. */
    private static void pageShowsEveryStyleWithoutScripts(int run) {
        String html = given().accept("text/html").get("/runs/" + run).then().statusCode(200).extract().asString();
        assertTrue(html.contains("board of 2 styles"), html);
        for (String style : List.of("00", "01")) {
            int card = html.indexOf("data-style-id=\"" + style + "\"");
            assertTrue(card > 0, "a card for style " + style);
            String rest = html.substring(card);
            assertTrue(rest.matches("(?s).*?Training: step 2 of 2, loss \\d+\\.\\d{4}.*"), "style " + style + "'s training in words");
            assertTrue(rest.contains("/api/runs/" + run + "/styles/" + style + "/grid.png"), "style " + style + "'s grid");
            assertTrue(rest.contains("preview?part=" + style + "&amp;n=1"), "style " + style + "'s latest preview");
        }
        assertEquals(50, html.split("<figure data-prompt=", -1).length - 1, "every style's images");
    }

    /** The board goes to the leaderboard as one submission whose row carries the board scorecard's values. */
    private static void submitsAsOneLeaderboardRow(int run) {
        String dataset = "board-" + run;
        given().contentType("application/json").body("{\"runIds\": [" + run + "], \"dataset\": \"" + dataset + "\"}")
                .when().post("/api/leaderboard/submissions").then().statusCode(201);
        JsonPath board = given().config(DOUBLES).get("/api/leaderboard?dataset=" + dataset).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(1, board.getList("rows").size(), board.prettify());
        assertEquals(List.of(run), board.getList("rows[0].submission.runIds"));
        assertEquals(50, board.getInt("rows[0].submission.publicImages"), "every image of both styles");
        JsonPath card = given().config(DOUBLES).get("/api/runs/" + run + "/scorecard.json").then().statusCode(200)
                .extract().jsonPath();
        List<Map<String, Object>> metrics = card.getList("metrics");
        assertEquals(6, metrics.size(), card.prettify());
        for (Map<String, Object> metric : metrics) {
            String key = (String) metric.get("metric");
            if (Boolean.TRUE.equals(metric.get("computed"))) {
                assertEquals((Double) metric.get("value"), board.getDouble("rows[0].submission.metrics." + key), 1e-12, key);
            } else {
                assertEquals(metric.get("reason"), board.getString("rows[0].submission.missing." + key), key);
            }
        }
        assertEquals((Object) card.get("final"), board.get("rows[0].finalScore"));
    }

    @Test
    void boardCancelledMidTrainingResumesEveryStyleFromItsCheckpoint() throws Exception {
        int a = upload("resume-00", "00");
        int b = upload("resume-01", "01");
        int c = upload("resume-02", "02");
        int steps = 30;
        int run = startBoard(List.of(a, b, c), steps);
        JsonPath view;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        int trainJob;
        while (true) {
            view = given().get("/api/runs/" + run).then().statusCode(200).extract().jsonPath();
            Map<String, Object> train = job(view, "TRAIN");
            trainJob = (Integer) train.get("id");
            Object progress = train.get("progress");
            // progress counts style-steps over the board: 3 styles x 2 steps each
            if (progress instanceof Map<?, ?> p && "training".equals(p.get("phase")) && ((Integer) p.get("step")) >= 6) break;
            assertTrue(System.nanoTime() < deadline, "training never reported 2 steps per style: " + view.prettify());
            Thread.sleep(100);
        }
        given().post("/api/jobs/" + trainJob + "/cancel").then().statusCode(200);
        view = RunPolling.untilEnded(run);
        assertEquals("CANCELLED", view.getString("status"), view.prettify());
        given().post("/api/runs/" + run + "/retry").then().statusCode(200);
        view = RunPolling.untilEnded(run);
        assertEquals("SUCCEEDED", view.getString("status"), view.getString("error"));
        JsonPath train = given().get("/api/jobs/" + trainJob).then().statusCode(200).extract().jsonPath();
        List<Integer> resumed = train.getList("result.styles.resumedFrom", Integer.class);
        assertEquals(3, resumed.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(resumed.get(i) >= 2 && resumed.get(i) < steps, "style " + i + " resumed from its checkpoint: " + resumed);
        }
        assertEquals(List.of(steps, steps, steps), train.getList("result.styles.steps", Integer.class));
        List<String> ids = new ArrayList<>(view.getList("board.styleId", String.class));
        assertEquals(List.of("00", "01", "02"), ids);
    }
}

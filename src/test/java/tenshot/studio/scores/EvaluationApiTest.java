package tenshot.studio.scores;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.image.RgbImage;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.upload.BadImages;

@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class EvaluationApiTest {

    static byte[] zip(Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Polls an evaluation until its job has ended (the test worker runs it). */
    static io.restassured.response.Response awaitDone(int id) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(8);
        while (true) {
            var response = given().config(ScoresFixtures.DOUBLES).when().get("/api/evaluations/" + id);
            response.then().statusCode(200);
            String status = response.path("status");
            if (List.of("succeeded", "failed", "cancelled").contains(status)) return response;
            if (System.nanoTime() > deadline) throw new AssertionError("evaluation " + id + " still " + status + " after 8 min");
            Thread.sleep(200);
        }
    }


    @Test
    void reportsLayoutProblemsPerFileOrScoresACompleteUpload() throws Exception {
        long set = ScoresFixtures.styleSet("09");

        Map<String, byte[]> partial = new LinkedHashMap<>();
        partial.put("09/Dolphin.png", BadImages.png(ScoresFixtures.noise(0x906050, 3)));
        partial.put("09/Extra.png", BadImages.png(ScoresFixtures.noise(0x906050, 4)));
        given().multiPart("styleSet", String.valueOf(set)).multiPart("file", "up.zip", zip(partial), "application/zip")
                .when().post("/api/evaluations").then().statusCode(422)
                .contentType(containsString("problem+json"))
                .body("problems.file", hasItem("09/Bread.png"))
                .body("problems.file", hasItem("09/Extra.png"));

        Map<String, byte[]> complete = new LinkedHashMap<>();
        complete.put("09/Dolphin.png", BadImages.png(ScoresFixtures.noise(0x906050, 3)));
        complete.put("09/Bread.png", BadImages.png(ScoresFixtures.noise(0x906050, 4)));
        Map<String, RgbImage> refs = new LinkedHashMap<>();
        refs.put("red_apple.png", RgbImage.of(ScoresFixtures.noise(0xC03020, 1)));
        refs.put("blue_car.png", RgbImage.of(ScoresFixtures.noise(0x2040C0, 2)));
        Map<String, RgbImage> gen = new LinkedHashMap<>();
        gen.put("Dolphin.png", RgbImage.of(ScoresFixtures.noise(0x906050, 3)));
        gen.put("Bread.png", RgbImage.of(ScoresFixtures.noise(0x906050, 4)));
        double hist;
        try (ScoringModels none = ScoringModels.none("none")) {
            hist = new Scorer(none, ScoringMode.OFFICIAL).scoreImages(List.of(new Scorer.StyleImages("09", refs, gen)))
                    .values().get(Metric.HIST);
        }
        var accepted = given().multiPart("styleSet", String.valueOf(set))
                .multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(202)
                .body("status", equalTo("queued")).body("images", equalTo(2)).extract();
        int id = accepted.path("id");
        org.hamcrest.MatcherAssert.assertThat(accepted.header("Location"), endsWith("/api/evaluations/" + id));
        awaitDone(id).then()
                .body("status", equalTo("succeeded"))
                .body("scorecard.mode", equalTo("official"))
                .body("scorecard.metrics.find { it.metric == 'hist' }.value", closeTo(hist, 1e-9))
                .body("scorecard.metrics.find { it.metric == 'dino' }.reason", containsString("model not installed"));
        given().when().get("/api/evaluations/" + id + "/scorecard.csv").then().statusCode(200)
                .body(containsString("official,overall"));
        given().when().get("/api/evaluations/987654").then().statusCode(404);

        given().multiPart("styleSet", "987654").multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(404);

        // corrected mode: the kit's quirks fixed (here: the histogram's bins), labelled as such
        double correctedHist;
        try (ScoringModels none = ScoringModels.none("none")) {
            correctedHist = new Scorer(none, ScoringMode.CORRECTED).scoreImages(List.of(new Scorer.StyleImages("09", refs, gen)))
                    .values().get(Metric.HIST);
        }
        int corrected = given().multiPart("styleSet", String.valueOf(set)).multiPart("mode", "corrected")
                .multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(202).body("scoringMode", equalTo("corrected"))
                .extract().path("id");
        awaitDone(corrected).then().body("status", equalTo("succeeded"))
                .body("scorecard.mode", equalTo("corrected"))
                .body("scorecard.metrics.find { it.metric == 'hist' }.value", closeTo(correctedHist, 1e-9));
        given().multiPart("styleSet", String.valueOf(set)).multiPart("mode", "lenient")
                .multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(400).body("subject", equalTo("mode"));
    }

    @Test
    void aStylesFolderOfImagesIsEvaluatedLikeAZipAndThePagesShowIt() throws Exception {
        long set = ScoresFixtures.styleSet("12");
        byte[] dolphin = BadImages.png(ScoresFixtures.noise(0x905060, 5));
        byte[] bread = BadImages.png(ScoresFixtures.noise(0x905060, 6));
        // a browser's folder upload names files "folder/Prompt.png": only the base name counts
        int id = given().multiPart("styleSet", String.valueOf(set))
                .multiPart("images", "12/Dolphin.png", dolphin, "image/png").multiPart("images", "Bread.png", bread, "image/png")
                .when().post("/api/evaluations").then().statusCode(202).body("images", equalTo(2)).extract().path("id");
        awaitDone(id).then().body("status", equalTo("succeeded"))
                .body("scorecard.metrics.find { it.metric == 'hist' }.value", org.hamcrest.Matchers.notNullValue());

        given().multiPart("styleSet", String.valueOf(set)).multiPart("images", "Dolphin.png", dolphin, "image/png")
                .multiPart("file", "up.zip", zip(Map.of("12/Dolphin.png", dolphin)), "application/zip")
                .when().post("/api/evaluations").then().statusCode(400).body("subject", equalTo("file"));
        given().multiPart("styleSet", String.valueOf(set)).when().post("/api/evaluations").then().statusCode(400)
                .body("detail", containsString("one of the two"));
        given().multiPart("styleSet", String.valueOf(set)).multiPart("images", "a/Dolphin.png", dolphin, "image/png")
                .multiPart("images", "b/Dolphin.png", dolphin, "image/png")
                .when().post("/api/evaluations").then().statusCode(400).body("detail", containsString("given twice"));

        // the pages: a folder missing a prompt is refused with the problem per file, a complete one is scored
        given().when().get("/evaluations").then().statusCode(200).body(containsString("id=\"evaluation-form\""))
                .body(containsString("data-evaluation-id=\"" + id + "\""));
        given().multiPart("styleSet", String.valueOf(set)).multiPart("images", "Dolphin.png", dolphin, "image/png")
                .when().post("/evaluations").then().statusCode(422)
                .body(containsString("data-file=\"12/Bread.png\""));
        String location = given().redirects().follow(false).multiPart("styleSet", String.valueOf(set)).multiPart("mode", "corrected")
                .multiPart("images", "Dolphin.png", dolphin, "image/png").multiPart("images", "Bread.png", bread, "image/png")
                .when().post("/evaluations").then().statusCode(303).extract().header("Location");
        int fromPage = Integer.parseInt(location.substring(location.lastIndexOf('/') + 1));
        awaitDone(fromPage);
        given().when().get("/evaluations/" + fromPage).then().statusCode(200)
                .body(containsString("data-status=\"succeeded\""))
                .body(containsString("data-mode=\"corrected\""))
                .body(containsString("data-metric=\"hist\""))
                .body(org.hamcrest.Matchers.not(containsString("http-equiv=\"refresh\"")));
    }

    @Test
    void severalStyleSetsMakeOneBoardScoredTogether() throws Exception {
        long first = ScoresFixtures.styleSet("13");
        long second = ScoresFixtures.styleSet("14");
        Map<String, byte[]> board = new LinkedHashMap<>();
        for (String style : List.of("13", "14")) {
            board.put(style + "/Dolphin.png", BadImages.png(ScoresFixtures.noise(0x807060, 7)));
            board.put(style + "/Bread.png", BadImages.png(ScoresFixtures.noise(0x807060, 8)));
        }
        int id = given().multiPart("styleSet", first + "," + second).multiPart("file", "board.zip", zip(board), "application/zip")
                .when().post("/api/evaluations").then().statusCode(202)
                .body("styleSetIds", equalTo(List.of((int) first, (int) second))).body("images", equalTo(4))
                .extract().path("id");
        awaitDone(id).then().body("status", equalTo("succeeded"))
                .body("scorecard.styles.style", equalTo(List.of("13", "14")));

        // a folder of several styles keeps each image in its style's folder
        given().multiPart("styleSet", String.valueOf(first)).multiPart("styleSet", String.valueOf(second))
                .multiPart("images", "Dolphin.png", board.get("13/Dolphin.png"), "image/png")
                .when().post("/api/evaluations").then().statusCode(400).body("detail", containsString("not in a style's folder"));
        // missing styles are layout problems, per file
        Map<String, byte[]> half = new LinkedHashMap<>();
        half.put("13/Dolphin.png", board.get("13/Dolphin.png"));
        half.put("13/Bread.png", board.get("13/Bread.png"));
        given().multiPart("styleSet", first + "," + second).multiPart("file", "half.zip", zip(half), "application/zip")
                .when().post("/api/evaluations").then().statusCode(422).body("problems.file", hasItem("14/"));
        // two style sets of one style id cannot both be references
        long again = ScoresFixtures.styleSet("13");
        given().multiPart("styleSet", first + "," + again).multiPart("file", "board.zip", zip(board), "application/zip")
                .when().post("/api/evaluations").then().statusCode(400).body("subject", equalTo("styleSet"));
    }
}

package tenshot.studio.board;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
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
import tenshot.scoring.Metric;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.image.RgbImage;
import tenshot.studio.upload.BadImages;

@QuarkusTest
class EvaluationApiTest {

    private static byte[] zip(Map<String, byte[]> files) throws Exception {
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

    @Test
    void reportsLayoutProblemsPerFileOrScoresACompleteUpload() throws Exception {
        long set = BoardFixtures.styleSet("09");

        Map<String, byte[]> partial = new LinkedHashMap<>();
        partial.put("09/Dolphin.png", BadImages.png(BoardFixtures.noise(0x906050, 3)));
        partial.put("09/Extra.png", BadImages.png(BoardFixtures.noise(0x906050, 4)));
        given().multiPart("styleSet", String.valueOf(set)).multiPart("file", "up.zip", zip(partial), "application/zip")
                .when().post("/api/evaluations").then().statusCode(422)
                .contentType(containsString("problem+json"))
                .body("problems.file", hasItem("09/Bread.png"))
                .body("problems.file", hasItem("09/Extra.png"));

        Map<String, byte[]> complete = new LinkedHashMap<>();
        complete.put("09/Dolphin.png", BadImages.png(BoardFixtures.noise(0x906050, 3)));
        complete.put("09/Bread.png", BadImages.png(BoardFixtures.noise(0x906050, 4)));
        Map<String, RgbImage> refs = new LinkedHashMap<>();
        refs.put("red_apple.png", RgbImage.of(BoardFixtures.noise(0xC03020, 1)));
        refs.put("blue_car.png", RgbImage.of(BoardFixtures.noise(0x2040C0, 2)));
        Map<String, RgbImage> gen = new LinkedHashMap<>();
        gen.put("Dolphin.png", RgbImage.of(BoardFixtures.noise(0x906050, 3)));
        gen.put("Bread.png", RgbImage.of(BoardFixtures.noise(0x906050, 4)));
        double hist;
        try (ScoringModels none = ScoringModels.none("none")) {
            hist = new Scorer(none, ScoringMode.OFFICIAL).scoreImages(List.of(new Scorer.StyleImages("09", refs, gen)))
                    .values().get(Metric.HIST);
        }
        given().config(BoardFixtures.DOUBLES).multiPart("styleSet", String.valueOf(set))
                .multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(200)
                .body("mode", equalTo("official"))
                .body("metrics.find { it.metric == 'hist' }.value", closeTo(hist, 1e-9))
                .body("metrics.find { it.metric == 'dino' }.reason", containsString("hist only"));

        given().multiPart("styleSet", "987654").multiPart("file", "up.zip", zip(complete), "application/zip")
                .when().post("/api/evaluations").then().statusCode(404);
    }
}

package tenshot.studio.scores;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorecard;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.upload.BadImages;
import tenshot.testing.Fixtures;

/** An uploaded submission scored by an EVALUATE job on the test worker, with the fixture models installed. */
@QuarkusTest
@TestProfile(FixtureMetricsProfile.class)
@ExtendWith(SignedInAsOperator.class)
class EvaluationMetricsTest {

    @Test
    void everyInstalledMetricIsComputedOnAWorker() throws Throwable {
        Fixtures.metrics("manifest.json");
        long set = ScoresFixtures.styleSet("19");
        Map<String, byte[]> upload = new LinkedHashMap<>();
        upload.put("19/Dolphin.png", BadImages.png(ScoresFixtures.noise(0x906050, 3)));
        upload.put("19/Bread.png", BadImages.png(ScoresFixtures.noise(0x906050, 4)));
        int id = given().multiPart("styleSet", String.valueOf(set))
                .multiPart("file", "up.zip", EvaluationApiTest.zip(upload), "application/zip")
                .when().post("/api/evaluations").then().statusCode(202).extract().path("id");

        // The same images scored here with the same models: what the worker must have computed.
        Scorecard expected;
        try (ScoringModels models = tenshot.scoring.ModelDirectory.load(FixtureMetricsProfile.DIR, tenshot.diffusion.EngineDevice.cpu())) {
            var refs = new LinkedHashMap<String, tenshot.scoring.image.RgbImage>();
            refs.put("red_apple.png", tenshot.scoring.image.RgbImage.of(ScoresFixtures.noise(0xC03020, 1)));
            refs.put("blue_car.png", tenshot.scoring.image.RgbImage.of(ScoresFixtures.noise(0x2040C0, 2)));
            var gen = new LinkedHashMap<String, tenshot.scoring.image.RgbImage>();
            gen.put("Dolphin.png", tenshot.scoring.image.RgbImage.of(ScoresFixtures.noise(0x906050, 3)));
            gen.put("Bread.png", tenshot.scoring.image.RgbImage.of(ScoresFixtures.noise(0x906050, 4)));
            expected = new Scorer(models, ScoringMode.OFFICIAL).scoreImages(List.of(new Scorer.StyleImages("19", refs, gen)));
        }

        var done = EvaluationApiTest.awaitDone(id).then()
                .body("status", equalTo("succeeded"))
                .body("scorecard.final", notNullValue())
                .body("scorecard.final", closeTo(expected.finalScore(), 1e-6));
        for (Metric m : Metric.values()) {
            done.body("scorecard.metrics.find { it.metric == '" + m.key() + "' }.computed", equalTo(true))
                    .body("scorecard.metrics.find { it.metric == '" + m.key() + "' }.value",
                            closeTo(expected.values().get(m), 1e-6 * Math.max(1, Math.abs(expected.values().get(m)))));
        }
    }
}

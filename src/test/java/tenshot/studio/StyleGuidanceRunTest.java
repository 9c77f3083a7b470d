package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.StudioRuns.FinishedRun;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.scores.FixtureMetricsProfile;
import tenshot.testing.Fixtures;

/**
 * Style-descriptor guidance in a run on the demo model, with the fixture CLIP ViT-L/14 as the scoring models
 * directory's image tower: the recipe's {@code generation.styleGuidance} reaches GENERATE, which guides the last
 * sampling steps (its images differ from the same run without guidance), through the zip, config and scorecard.
 */
@QuarkusTest
@TestProfile(FixtureMetricsProfile.class)
@ExtendWith(SignedInAsOperator.class)
class StyleGuidanceRunTest {

    private static final byte[] PROMPTS = "{\"0\": \"Dolphin\", \"1\": \"Bread\"}".getBytes(StandardCharsets.UTF_8);
    private static final String RECIPE = "{\"base\": \"baseline\", \"resolution\": 64, \"generation\": {\"steps\": 3%s}}";

    @TestHTTPResource("/")
    URL base;

    @Test
    void guidedRunThroughGenerateAssembleAndScore() throws Exception {
        Fixtures.metrics("clip-vit-l14/config.json");
        FinishedRun guided = StudioRuns.runToTheEnd(base, "guided", RECIPE.formatted(", \"styleGuidance\": {\"lastSteps\": 2}"),
                PROMPTS, ", \"train\": false");
        assertEquals(List.of("GENERATE", "ASSEMBLE", "SCORE"), guided.view().getList("jobs.kind", String.class));
        JsonPath config = given().when().get("/api/runs/" + guided.id() + "/config.json").then().statusCode(200).extract().jsonPath();
        assertEquals(2, config.getInt("recipe.generation.styleGuidance.lastSteps"), config.prettify());
        assertEquals(0.05, config.getDouble("recipe.generation.styleGuidance.stepSize"), 1e-12, config.prettify());
        given().when().get("/api/runs/" + guided.id() + "/scorecard.json").then().statusCode(200)
                .body("metrics.find { it.metric == 'hist' }.value", org.hamcrest.Matchers.notNullValue());

        FinishedRun plain = StudioRuns.runToTheEnd(base, "unguided", RECIPE.formatted(""), PROMPTS, ", \"train\": false");
        Map<String, byte[]> guidedImages = images(guided.id());
        Map<String, byte[]> plainImages = images(plain.id());
        assertEquals(new TreeSet<>(List.of("00/Bread.png", "00/Dolphin.png")), guidedImages.keySet());
        assertEquals(guidedImages.keySet(), plainImages.keySet());
        for (String name : guidedImages.keySet()) {
            assertFalse(Arrays.equals(guidedImages.get(name), plainImages.get(name)), name + " is guided");
        }
    }

    /** The submission zip's PNGs by name (64 px wide). */
    private static Map<String, byte[]> images(int run) throws Exception {
        byte[] zip = given().when().get("/api/runs/" + run + "/submission.zip").then().statusCode(200).extract().asByteArray();
        assertTrue(StudioRuns.pngNames(zip, 64).size() > 0);
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) if (e.getName().endsWith(".png")) out.put(e.getName(), in.readAllBytes());
        }
        return out;
    }
}

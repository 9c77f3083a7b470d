package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.StudioRuns.FinishedRun;
import tenshot.testing.Fixtures;

/**
 * The "done when": upload a challenge style through the API, run train → generate → grid →
 * zip on the CPU with the demo model (few steps, small images), watch the progress over SSE, and
 * download the zip in the submission layout.
 */
@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class EndToEndTest {

    @TestHTTPResource("/")
    URL base;

    /** Uploads style 00 of the A board, starts a run of {@code recipe} and waits for it to end, listening to its events. */
    private FinishedRun runToTheEnd(String name, String recipe) throws Exception {
        FinishedRun finished = runToTheEnd(name, recipe, Files.readAllBytes(Fixtures.dataset("jittor-a/00").resolve("prompt.json")));
        assertEquals(25, finished.prompts().size());
        return finished;
    }

    /** {@link #runToTheEnd(String, String)} with these prompts (a {@code prompt.json}) instead of the style's 25. */
    private FinishedRun runToTheEnd(String name, String recipe, byte[] promptJson) throws Exception {
        return runToTheEnd(name, recipe, promptJson, "");
    }

    private FinishedRun runToTheEnd(String name, String recipe, byte[] promptJson, String moreFields) throws Exception {
        return StudioRuns.runToTheEnd(base, name, recipe, promptJson, moreFields);
    }

    /**
     * The {@code safe} recipe's whole path on the demo model: class images for prior preservation
     * (a PRIOR job), training with an instance and a class row, img2img from the average style image.
     */
    @Test
    void safeRecipeWithPriorPreservationAndAverageImageStart() throws Exception {
        String recipe = "{\"base\": \"safe\", \"steps\": 2, \"resolution\": 64, \"checkpointEvery\": 0, "
                + "\"previewEvery\": 0, \"classImagesPerPrompt\": 1, \"classImageSteps\": 2, \"generation\": {\"steps\": 3}}";
        FinishedRun finished = runToTheEnd("e2e-safe", recipe);
        assertTrue(finished.events().stream().anyMatch(d -> d.contains("\"kind\":\"PRIOR\"") && d.contains("succeeded")),
                "a PRIOR job made the class images: " + finished.events().size() + " events");
        assertTrue(finished.events().stream().anyMatch(d -> d.contains("\"kind\":\"TRAIN\"") && d.contains("training")),
                "training ran after the class images");
        JsonPath config = given().when().get("/api/runs/" + finished.id() + "/config.json").then().statusCode(200).extract().jsonPath();
        assertEquals("average-style-image", config.getString("recipe.generation.start"), config.prettify());
        assertEquals(1.0, config.getDouble("recipe.priorLossWeight"), 1e-12);
        byte[] zip = given().when().get("/api/runs/" + finished.id() + "/submission.zip").then().statusCode(200).extract().asByteArray();
        int pngs = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) if (e.getName().endsWith(".png")) pngs++;
        }
        assertEquals(25, pngs);
    }

    /**
     * StyleID on top of the trained LoRA's content images: GENERATE makes each prompt's content latent, then
     * injects the style image nearest the set's average; the run's grid, zip and scorecard are as any run's.
     */
    @Test
    void styleIdRecipeThroughGenerateAssembleAndScore() throws Exception {
        String recipe = "{\"base\": \"baseline\", \"steps\": 2, \"resolution\": 64, \"checkpointEvery\": 0, "
                + "\"previewEvery\": 0, \"generation\": {\"steps\": 3, \"styleInjection\": {\"styleImage\": \"nearest-average\"}}}";
        // three prompts: StyleID triples the UNet passes of each image, and this runs on a shared CPU
        FinishedRun finished = runToTheEnd("e2e-styleid", recipe,
                "{\"0\": \"Dolphin\", \"1\": \"Bread\", \"2\": \"Lighthouse\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("Dolphin", "Bread", "Lighthouse"), finished.prompts());
        assertTrue(finished.events().stream().anyMatch(d -> d.contains("\"kind\":\"GENERATE\"") && d.contains("injecting style")),
                "GENERATE reported StyleID's injection: " + finished.events().stream().filter(d -> d.contains("GENERATE")).toList());
        JsonPath config = given().when().get("/api/runs/" + finished.id() + "/config.json").then().statusCode(200).extract().jsonPath();
        assertEquals(0.75, config.getDouble("recipe.generation.styleInjection.gamma"), 1e-12, config.prettify());
        assertEquals("nearest-average", config.getString("recipe.generation.styleInjection.styleImage"));
        byte[] zip = given().when().get("/api/runs/" + finished.id() + "/submission.zip").then().statusCode(200).extract().asByteArray();
        Set<String> names = StudioRuns.pngNames(zip, 64);
        Set<String> expected = new TreeSet<>();
        for (String prompt : finished.prompts()) expected.add("00/" + prompt + ".png");
        assertEquals(expected, names);
        given().when().get("/api/runs/" + finished.id() + "/grid.png").then().statusCode(200).contentType("image/png");
        given().when().get("/api/runs/" + finished.id() + "/scorecard.json").then().statusCode(200)
                .body("metrics.find { it.metric == 'hist' }.value", org.hamcrest.Matchers.notNullValue());
        given().when().get("/runs/" + finished.id()).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("nearest-average"));
        int set = finished.view().getInt("styleSetId");
        given().when().get("/style-sets/" + set + "/compare?runs=" + finished.id()).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("LoRA + StyleID"))
                .body(org.hamcrest.Matchers.containsString("/api/runs/" + finished.id() + "/images/"))
                .body(org.hamcrest.Matchers.containsString("Final score"));
    }

    /**
     * Training-free StyleID: a run with {@code "train": false} has no PRIOR or TRAIN job (though its recipe uses
     * class images) and no LoRA; GENERATE makes the content images with the base model and injects the style
     * images; the run page, grid, zip, config and scorecard work without an adapter.
     */
    @Test
    void trainingFreeStyleIdSkipsPriorAndTrain() throws Exception {
        String recipe = "{\"base\": \"safe\", \"resolution\": 64, \"generation\": {\"steps\": 3, \"styleInjection\": {}}}";
        FinishedRun finished = runToTheEnd("e2e-styleid-free", recipe,
                "{\"0\": \"Dolphin\", \"1\": \"Bread\", \"2\": \"Lighthouse\"}".getBytes(StandardCharsets.UTF_8), ", \"train\": false");
        int run = finished.id();
        assertEquals(List.of("GENERATE", "ASSEMBLE", "SCORE"), finished.view().getList("jobs.kind", String.class));
        assertEquals(false, finished.view().getBoolean("train"));
        assertEquals(null, finished.view().getString("downloads.lora"));
        assertTrue(finished.events().stream().noneMatch(d -> d.contains("\"kind\":\"TRAIN\"") || d.contains("\"kind\":\"PRIOR\"")),
                "no training job ran");
        assertTrue(finished.events().stream().anyMatch(d -> d.contains("\"kind\":\"GENERATE\"") && d.contains("injecting style")),
                "GENERATE reported StyleID's injection");
        given().when().get("/api/runs/" + run + "/lora.safetensors").then().statusCode(404);
        JsonPath config = given().when().get("/api/runs/" + run + "/config.json").then().statusCode(200).extract().jsonPath();
        assertEquals(false, config.getBoolean("train"), config.prettify());
        assertEquals("each", config.getString("recipe.generation.styleInjection.styleImage"));
        byte[] zip = given().when().get("/api/runs/" + run + "/submission.zip").then().statusCode(200).extract().asByteArray();
        Set<String> names = StudioRuns.pngNames(zip, 64);
        assertEquals(new TreeSet<>(List.of("00/Bread.png", "00/Dolphin.png", "00/Lighthouse.png")), names);
        given().when().get("/api/runs/" + run + "/grid.png").then().statusCode(200).contentType("image/png");
        given().when().get("/api/runs/" + run + "/scorecard.json").then().statusCode(200)
                .body("metrics.find { it.metric == 'hist' }.value", org.hamcrest.Matchers.notNullValue());
        given().when().get("/runs/" + run).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("No training"))
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("LoRA (safetensors)")));
        given().when().get("/style-sets/" + finished.view().getInt("styleSetId") + "/compare?runs=" + run).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("StyleID, training-free"));
    }

    /** Style guidance needs the CLIP image tower of the scoring models directory; without one, GENERATE says so. */
    @Test
    void styleGuidanceWithoutScoringModelsFailsNamingWhatIsMissing() throws Exception {
        String recipe = "{\"base\": \"baseline\", \"resolution\": 64, \"generation\": {\"steps\": 2, \"styleGuidance\": {}}}";
        int run = StudioRuns.start("e2e-guidance-no-clip", recipe, "{\"0\": \"Dolphin\"}".getBytes(StandardCharsets.UTF_8),
                ", \"train\": false").id();
        JsonPath view = RunPolling.untilEnded(run);
        assertEquals("FAILED", view.getString("status"), view.prettify());
        String error = view.getString("error");
        assertTrue(error != null && error.contains("generation.styleGuidance needs the CLIP ViT-L/14 image tower")
                && error.contains("tenshot.scoring.models-dir"), error);
    }

    @Test
    void styleSetToSubmissionZipOnTheDemoModel() throws Exception {
        String recipe = "{\"base\": \"baseline\", \"steps\": 2, \"resolution\": 64, \"checkpointEvery\": 0, "
                + "\"previewEvery\": 0, \"generation\": {\"steps\": 2}}";
        FinishedRun finished = runToTheEnd("e2e", recipe);
        int run = finished.id();
        List<String> prompts = finished.prompts();
        List<String> data = finished.events();

        // SSE: job events for this run carried training and generation progress.
        assertTrue(data.stream().anyMatch(d -> d.contains("\"kind\":\"TRAIN\"") && d.contains("training")),
                "an SSE event showed training progress: " + data.size() + " events");
        List<String> generateEvents = data.stream().filter(d -> d.contains("\"kind\":\"GENERATE\"")).toList();
        assertTrue(generateEvents.stream().anyMatch(d -> d.contains("\"running\"") || d.contains("generating")),
                "an SSE event showed the generation running: " + generateEvents);
        assertTrue(data.stream().anyMatch(d -> d.contains("\"kind\":\"ASSEMBLE\"") && d.contains("succeeded")),
                "an SSE event showed the assembly finishing");

        byte[] zip = given().when().get("/api/runs/" + run + "/submission.zip").then().statusCode(200)
                .contentType("application/zip").extract().asByteArray();
        Set<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().endsWith(".png")) {
                    BufferedImage image = ImageIO.read(new ByteArrayInputStream(in.readAllBytes()));
                    assertEquals(64, image.getWidth(), e.getName());
                }
            }
        }
        Set<String> expected = new TreeSet<>();
        for (String prompt : prompts) expected.add("00/" + prompt + ".png");
        expected.add("config.json");
        assertEquals(expected, names);

        byte[] grid = given().when().get("/api/runs/" + run + "/grid.png").then().statusCode(200).extract().asByteArray();
        BufferedImage gridImage = ImageIO.read(new ByteArrayInputStream(grid));
        assertTrue(gridImage.getHeight() > gridImage.getWidth() / 4, "grid has the style row and the generations");
        byte[] lora = given().header("Range", "bytes=0-7").when().get("/api/runs/" + run + "/lora.safetensors")
                .then().statusCode(206).extract().asByteArray();
        assertEquals(8, lora.length, "the first 8 bytes of the safetensors header length");
        // the demo run's scorecard: a real hist score, and every model metric says its model is missing
        given().when().get("/api/runs/" + run + "/scorecard.json").then().statusCode(200)
                .body("mode", org.hamcrest.Matchers.equalTo("official"))
                .body("metrics.find { it.metric == 'hist' }.value", org.hamcrest.Matchers.notNullValue())
                .body("metrics.findAll { it.metric != 'hist' }.reason", org.hamcrest.Matchers.hasSize(5))
                .body("metrics.findAll { it.metric != 'hist' }.reason",
                        org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.startsWith("model not installed")));
        given().when().get("/runs/" + run).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("model not installed"));
    }
}

package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.store.ArtifactStore;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.jobs.RunSpec;
import tenshot.studio.upload.BadImages;

@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class RunApiTest {

    /** Runs made here would keep the shared test worker busy (real training on the demo model): stop them. */
    @AfterEach
    void cancelRuns() {
        List<Integer> ids = given().when().get("/api/runs").then().statusCode(200).extract().path("id");
        for (int id : ids) given().when().post("/api/runs/" + id + "/cancel").then().statusCode(200);
    }

    @Inject
    ArtifactStore store;

    private static byte[] picture(Color color) throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        return BadImages.png(image);
    }

    private static int styleSet(String styleId) throws Exception {
        return given().multiPart("name", "set " + styleId).multiPart("styleId", styleId)
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", picture(Color.RED), "image/png")
                .multiPart("images", "blue_car_2.png", picture(Color.BLUE), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().path("id");
    }

    @Test
    void listsPresetsAndTheDemoModel() {
        given().when().get("/api/recipes").then().statusCode(200).body("name", equalTo(List.of("baseline", "safe", "aggressive")))
                .body("[1].recipe.generation.start", equalTo("average-style-image"));
        given().when().get("/api/models").then().statusCode(200).body("[0].id", equalTo("demo-sd21"))
                .body("[0].demo", equalTo(true)).body("[0].note", containsString("noise"));
    }

    @Test
    void aRunBecomesJobsAndCanBeCancelledRetriedAndRerun() throws Exception {
        int set = styleSet("07");
        int run = given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"baseline\", \"steps\": 5}}")
                .when().post("/api/runs").then().statusCode(201)
                .body("recipe.steps", equalTo(5))
                .body("baseModel", equalTo("demo-sd21"))
                .body("scoringMode", equalTo("official"))
                .body("styleId", equalTo("07"))
                .body("jobs.kind", equalTo(List.of("TRAIN", "GENERATE", "ASSEMBLE", "SCORE")))
                .body("status", oneOf("QUEUED", "RUNNING"))
                .extract().path("id");

        int corrected = given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": \"safe\", \"scoringMode\": \"corrected\"}")
                .when().post("/api/runs").then().statusCode(201).body("scoringMode", equalTo("corrected"))
                .body("jobs.kind", equalTo(List.of("PRIOR", "TRAIN", "GENERATE", "ASSEMBLE", "SCORE"))).extract().path("id");
        // a partial recipe without "base" overrides baseline, also when it names the adapter
        given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"adapter\": \"dora\", \"steps\": 3}}")
                .when().post("/api/runs").then().statusCode(201)
                .body("recipe.adapter", equalTo("dora")).body("recipe.steps", equalTo(3)).body("recipe.rank", equalTo(4));
        given().when().get("/api/jobs?run=" + corrected).then().statusCode(200)
                .body("find { it.kind == 'SCORE' }.payload.scoringMode", equalTo("corrected"));

        int rerun = given().contentType("application/json").body("{\"recipe\": {\"steps\": 7, \"generation\": {\"steps\": 3}}}")
                .when().post("/api/runs/" + run + "/rerun").then().statusCode(201)
                .body("parentRunId", equalTo(run))
                .body("changes.steps.from", equalTo(5)).body("changes.steps.to", equalTo(7))
                .body("changes.'generation.steps'.to", equalTo(3))
                .extract().path("id");
        assertTrue(rerun > run);

        given().when().post("/api/runs/" + run + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().when().post("/api/runs/" + run + "/retry").then().statusCode(200).body("status", oneOf("QUEUED", "RUNNING"));
        given().when().get("/api/runs").then().statusCode(200).body("id", hasItem(rerun));
        given().when().get("/api/runs/" + run).then().statusCode(200).body("downloads.zip", nullValue());
    }

    @Test
    void aRunWithoutTrainingHasNoPriorOrTrainJobAndItsRerunsTrainNothing() throws Exception {
        int set = styleSet("06");
        given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"baseline\", \"steps\": 2}}")
                .when().post("/api/runs").then().statusCode(201).body("train", equalTo(true));
        // safe uses class images: without training there is no PRIOR job either
        int run = given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"safe\", \"generation\": {\"styleInjection\": {}}}, "
                        + "\"train\": false}")
                .when().post("/api/runs").then().statusCode(201)
                .body("train", equalTo(false))
                .body("jobs.kind", equalTo(List.of("GENERATE", "ASSEMBLE", "SCORE")))
                .body("jobs[0].dependsOn", equalTo(List.of()))
                .extract().path("id");
        given().when().get("/api/jobs?run=" + run).then().statusCode(200)
                .body("find { it.kind == 'GENERATE' }.payload.train", equalTo(false));
        given().contentType("application/json").body("{\"recipe\": {\"generation\": {\"steps\": 3}}}")
                .when().post("/api/runs/" + run + "/rerun").then().statusCode(201)
                .body("train", equalTo(false)).body("jobs.kind", equalTo(List.of("GENERATE", "ASSEMBLE", "SCORE")));
    }

    @Test
    void identicalRunsShareOnePriorJob() throws Exception {
        // Class prompts come from the objects and prompts; these differ from the other tests' sets.
        int set = given().multiPart("name", "prior set").multiPart("styleId", "09").multiPart("prompts", "[\"Zebra\"]")
                .multiPart("images", "lighthouse.png", picture(Color.RED), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().path("id");
        String body = "{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"safe\", \"steps\": 3}}";
        int first = given().contentType("application/json").body(body).when().post("/api/runs").then().statusCode(201)
                .extract().path("id");
        int prior = given().when().get("/api/runs/" + first).then().statusCode(200)
                .extract().path("jobs.find { it.kind == 'PRIOR' }.id");
        int second = given().contentType("application/json").body(body.replace("\"steps\": 3", "\"steps\": 4"))
                .when().post("/api/runs").then().statusCode(201).body("jobs.kind", equalTo(List.of("TRAIN", "GENERATE", "ASSEMBLE", "SCORE")))
                .extract().path("id");
        given().when().get("/api/runs/" + second).then().statusCode(200)
                .body("jobs.find { it.kind == 'TRAIN' }.dependsOn", equalTo(List.of(prior)));
        given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"base\": \"safe\", \"classImagesPerPrompt\": 1}}")
                .when().post("/api/runs").then().statusCode(201).body("jobs.kind", hasItem("PRIOR"));
    }

    @Test
    void badRunRequestsNameTheField() throws Exception {
        int set = styleSet("08");
        given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": {\"rank\": 0}}")
                .when().post("/api/runs").then().statusCode(400).contentType("application/problem+json")
                .body("subject", equalTo("recipe")).body("detail", containsString("rank"));
        given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"recipe\": {\"bogus\": 1}}")
                .when().post("/api/runs").then().statusCode(400).body("detail", containsString("bogus"));
        given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"baseModel\": \"sdxl\"}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("baseModel"));
        given().contentType("application/json").body("{\"styleSetId\": " + set + ", \"scoringMode\": \"generous\"}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("scoringMode"));
        given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"generation\": {\"styleInjection\": {\"gamma\": 2}}}}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("recipe"))
                .body("detail", containsString("'generation.styleInjection.gamma'"));
        given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"generation\": {\"styleGuidance\": {\"lastSteps\": 0}}}}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("recipe"))
                .body("detail", containsString("'generation.styleGuidance.lastSteps'"));
        given().contentType("application/json")
                .body("{\"styleSetId\": " + set + ", \"recipe\": {\"generation\": {\"scheduler\": \"euler\", \"styleGuidance\": {}}}}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("recipe"))
                .body("detail", containsString("'generation.styleGuidance' needs generation.scheduler ddim"));
        int other = styleSet("12");
        given().contentType("application/json")
                .body("{\"styleSetIds\": [" + set + ", " + other + "], \"recipe\": {\"generation\": {\"styleGuidance\": {}}}}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("recipe"))
                .body("detail", containsString("a board run does not take generation.styleGuidance"));
        given().contentType("application/json").body("{\"styleSetIds\": [" + set + ", " + other + "], \"train\": false}")
                .when().post("/api/runs").then().statusCode(400).body("subject", equalTo("train"))
                .body("detail", containsString("styleSetId"));
        given().contentType("application/json").body("{\"styleSetId\": 999999}")
                .when().post("/api/runs").then().statusCode(404).contentType("application/problem+json");
        given().when().get("/api/runs/999999/grid.png").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void severalRunsZipAsOneSubmission() throws Exception {
        List<Integer> runs = new ArrayList<>();
        for (String styleId : List.of("10", "11")) {
            int set = styleSet(styleId);
            int run = given().contentType("application/json").body("{\"styleSetId\": " + set + "}")
                    .when().post("/api/runs").then().statusCode(201).extract().path("id");
            // What GENERATE and ASSEMBLE leave in the store.
            for (String prompt : List.of("Dolphin", "Bread")) {
                store.put(RunSpec.prefix(run) + RunSpec.IMAGES + prompt + ".png", picture(Color.GREEN));
            }
            store.put(RunSpec.prefix(run) + RunSpec.CONFIG, ("{\"runId\": " + run + "}").getBytes(StandardCharsets.UTF_8));
            runs.add(run);
        }
        given().when().get("/api/runs/" + runs.get(0) + "/images/Dolphin.png").then().statusCode(200).contentType("image/png");
        given().when().get("/api/runs/" + runs.get(0) + "/images/Cat.png").then().statusCode(404);
        byte[] zip = given().queryParam("runs", runs.get(0) + "," + runs.get(1)).when().get("/api/submission.zip")
                .then().statusCode(200).contentType("application/zip").extract().asByteArray();
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertEquals(List.of("10/Dolphin.png", "10/Bread.png", "11/Dolphin.png", "11/Bread.png", "config.json"), names);
        given().queryParam("runs", runs.get(0) + "," + runs.get(0)).when().get("/api/submission.zip").then().statusCode(409);
    }
}

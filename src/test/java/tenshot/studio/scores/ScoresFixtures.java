package tenshot.studio.scores;

import static io.restassured.RestAssured.given;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.image.RgbImage;
import tenshot.store.ArtifactStore;
import tenshot.store.Run;
import tenshot.store.StyleSet;
import tenshot.store.Team;
import tenshot.studio.jobs.ScoreArtifacts;
import tenshot.studio.upload.BadImages;

/** Runs with real scorecards: the real Scorer in hist-only mode on small seeded images. */
final class ScoresFixtures {

    /** Reads JSON numbers as doubles (RestAssured's default is float). */
    static final io.restassured.config.RestAssuredConfig DOUBLES = io.restassured.RestAssured.config()
            .jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                    .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));

    private ScoresFixtures() {}

    /** A small image of seeded noise around a base colour; the same seed gives the same image. */
    static BufferedImage noise(int rgb, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int r = clamp(((rgb >> 16) & 255) + random.nextInt(81) - 40);
                int g = clamp(((rgb >> 8) & 255) + random.nextInt(81) - 40);
                int b = clamp((rgb & 255) + random.nextInt(81) - 40);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** A style set uploaded through the API (two reference images, prompts Dolphin and Bread). */
    static long styleSet(String styleId) throws Exception {
        int id = given().multiPart("name", "set " + styleId).multiPart("styleId", styleId)
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", BadImages.png(noise(0xC03020, 1)), "image/png")
                .multiPart("images", "blue_car.png", BadImages.png(noise(0x2040C0, 2)), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().path("id");
        return id;
    }

    /** A finished run of a team on a style set, inserted directly so that no job runs for it. */
    static long run(ArtifactStore store, long styleSetId, String team, String recipeName) throws Throwable {
        Run run = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Team.named(team)
                .chain(t -> StyleSet.<StyleSet>findById(styleSetId).chain(set -> {
                    Run r = new Run();
                    r.teamId = t.id;
                    r.styleSetId = set.id;
                    r.recipeName = recipeName;
                    r.recipe = "{\"base\": \"" + recipeName + "\", \"steps\": 5}";
                    r.baseModel = "demo-sd21";
                    return r.persist();
                }))));
        // The test database starts empty but the artifact store does not: clear what an earlier test run left.
        store.deleteAll(tenshot.studio.jobs.RunSpec.prefix(run.id));
        return run.id;
    }

    /**
     * Scores generated images around {@code generatedColour} against references of the style (hist only:
     * no models) and stores the scorecard where the SCORE job puts it. Returns the card's hist value.
     */
    static double storeScorecard(ArtifactStore store, long runId, String style, int generatedColour, ScoringMode mode)
            throws Exception {
        try (ScoringModels none = ScoringModels.none("model not installed (test: no models directory)")) {
            return storeScorecard(store, runId, style, generatedColour, mode, none).values().get(tenshot.scoring.Metric.HIST);
        }
    }

    /** Same, with the given models (four references, four generated images). */
    static tenshot.scoring.Scorecard storeScorecard(ArtifactStore store, long runId, String style, int generatedColour,
            ScoringMode mode, ScoringModels models) throws Exception {
        var scored = scorer(models, mode).evaluateImages(List.of(styleImages(style, generatedColour, PROMPTS)));
        ScoreArtifacts where = ScoreArtifacts.ofRun(runId);
        store.put(where.scorecardKey(), ScorecardExport.toJson(scored.card()).getBytes(StandardCharsets.UTF_8));
        if (scored.fid() != null) store.put(where.fidFeaturesKey(), scored.fid().toJson().getBytes(StandardCharsets.UTF_8));
        return scored.card();
    }

    static final List<String> PROMPTS = List.of("Dolphin", "Bread", "Castle", "Lion");

    /**
     * The images {@link #storeScorecard} scores for a style: four references, and the generated images of
     * {@code prompts} (a subset of {@link #PROMPTS} gives the same images as in the full set).
     */
    /**
     * The scorer of these fixtures: one image at a time through each metric network, so that an image's
     * values do not depend on which other images were scored with it. Tests that compare a split of a
     * card with its halves scored alone then check the split's arithmetic exactly; how far batching moves
     * a value (float32 kernels chosen by batch size, about 1e-8 relative on some CPUs) is
     * BatchedScoringTest's business.
     */
    static Scorer scorer(ScoringModels models, ScoringMode mode) {
        return new Scorer(models, mode, 1);
    }

    static Scorer.StyleImages styleImages(String style, int generatedColour, List<String> prompts) {
        Map<String, RgbImage> refs = new LinkedHashMap<>();
        refs.put("red_apple.png", RgbImage.of(noise(0xC03020, 1)));
        refs.put("blue_car.png", RgbImage.of(noise(0x2040C0, 2)));
        refs.put("green_tree.png", RgbImage.of(noise(0x30A040, 5)));
        refs.put("grey_cat.png", RgbImage.of(noise(0x808080, 6)));
        Map<String, RgbImage> gen = new LinkedHashMap<>();
        for (String prompt : prompts) gen.put(prompt + ".png", RgbImage.of(noise(generatedColour, 10 + PROMPTS.indexOf(prompt))));
        return new Scorer.StyleImages(style, refs, gen);
    }

    /** Every metric model, from the tiny fixture models of ../shared (skips the test when absent). */
    static ScoringModels fixtureModels(java.nio.file.Path dir) throws Exception {
        return tenshot.scoring.ModelDirectory.load(tenshot.testing.Fixtures.metricModels(dir), tenshot.diffusion.EngineDevice.cpu());
    }
}

package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.guidance.StyleGuidance;
import tenshot.diffusion.styleid.StyleInjection;

class TrainingRecipeTest {

    @Test
    void presetsAreWhatTheIssueSpecifies() {
        TrainingRecipe baseline = TrainingRecipe.preset("baseline");
        assertEquals(4, baseline.rank());
        assertEquals(500, baseline.steps());
        assertEquals(1e-4, baseline.learningRate());
        assertFalse(baseline.usesPrior());
        assertEquals("style_{id}", baseline.instancePrompt());
        assertEquals("noise", baseline.generation().start());
        assertEquals(25, baseline.generation().steps());
        assertEquals("ddim", baseline.generation().scheduler());

        TrainingRecipe safe = TrainingRecipe.preset("safe");
        assertEquals(32, safe.rank());
        assertEquals(800, safe.steps());
        assertEquals(1e-4, safe.learningRate());
        assertEquals(1.0, safe.priorLossWeight());
        assertEquals(0, safe.textEncoderRank());
        assertFalse(safe.flip());
        assertEquals(0.0, safe.rotationDegrees());
        assertEquals("average-style-image", safe.generation().start());
        assertEquals(0.9, safe.generation().strength());
        assertEquals(40, safe.generation().steps());
        assertEquals(7.5, safe.generation().guidanceScale());

        TrainingRecipe aggressive = TrainingRecipe.preset("Aggressive");
        assertEquals(64, aggressive.rank());
        assertEquals(8, aggressive.textEncoderRank());
        assertTrue(aggressive.trainsTextEncoder());
        assertEquals(1200, aggressive.steps());
        assertTrue(aggressive.flip() && aggressive.rotationDegrees() > 0);
        assertEquals(0.9, aggressive.priorLossWeight());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.preset("turbo"));
        assertTrue(e.getMessage().contains("turbo") && e.getMessage().contains("safe"), e.getMessage());
    }

    @Test
    void jsonRoundTripsEveryPreset() {
        for (String name : TrainingRecipe.PRESETS) {
            TrainingRecipe recipe = TrainingRecipe.preset(name);
            String json = recipe.toJson();
            assertTrue(json.contains("\"priorLossWeight\""), json);
            assertEquals(recipe, TrainingRecipe.fromJson(json));
        }
    }

    @Test
    void aBaseWithOverridesIsAnEditedPreset() {
        TrainingRecipe edited = TrainingRecipe.fromJson(
                "{\"base\": \"safe\", \"steps\": 400, \"generation\": {\"steps\": 30}}");
        assertEquals("safe", edited.name());
        assertEquals(400, edited.steps());
        assertEquals(30, edited.generation().steps());
        assertEquals(0.9, edited.generation().strength());
        Map<String, List<Object>> changes = TrainingRecipe.safe().changesTo(edited);
        assertEquals(Map.of("steps", List.of(800, 400), "generation.steps", List.of(40, 30)), changes);
        assertEquals(Map.of(), edited.changesTo(edited));
        assertEquals(7, TrainingRecipe.safe().with(Map.of("seed", 7)).seed());
        TrainingRecipe dora = TrainingRecipe.fromJson("{\"base\": \"safe\", \"adapter\": \"dora\"}");
        assertTrue(dora.usesDora());
        assertEquals(dora, TrainingRecipe.fromJson(dora.toJson()));
        assertEquals(Map.of("adapter", List.of("lora", "dora")), TrainingRecipe.safe().changesTo(dora));
    }

    @Test
    void errorsNameTheField() {
        assertField("rank", "{\"base\": \"safe\", \"rank\": 0}");
        assertField("rnk", "{\"base\": \"safe\", \"rnk\": 8}");
        assertField("steps", "{\"base\": \"safe\", \"steps\": \"many\"}");
        assertField("steps", "{\"base\": \"safe\", \"steps\": 1.5}");
        assertField("rank", "{\"base\": \"safe\", \"rank\": 8.0001}");
        assertField("generation.strength", "{\"base\": \"safe\", \"generation\": {\"strength\": 1.5}}");
        assertField("generation.start", "{\"base\": \"safe\", \"generation\": {\"start\": \"sketch\"}}");
        assertField("classPrompt", "{\"base\": \"safe\", \"classPrompt\": \"a {object} in style_{id}\"}");
        assertField("instancePrompt", "{\"base\": \"safe\", \"instancePrompt\": \"a {thing}\"}");
        assertField("targetModules", "{\"base\": \"safe\", \"targetModules\": [\"to_z\"]}");
        assertField("latentSampling", "{\"base\": \"safe\", \"latentSampling\": \"mode\"}");
        assertField("warmupSteps", "{\"base\": \"safe\", \"warmupSteps\": 900}");
        assertField("base", "{\"base\": 3}");
        assertField("adapter", "{\"base\": \"safe\", \"adapter\": \"lokr\"}");
        assertField("textEncoderRank", "{\"base\": \"aggressive\", \"adapter\": \"dora\"}");
        IllegalArgumentException incomplete = assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.fromJson("{\"name\": \"x\"}"));
        assertTrue(incomplete.getMessage().contains("recipe"), incomplete.getMessage());
    }

    @Test
    void aBuilderStartsFromTheBaselineAndValidates() {
        TrainingRecipe recipe = TrainingRecipe.builder("mine").steps(50).build();
        assertEquals(Map.of("name", List.of("baseline", "mine"), "steps", List.of(500, 50)),
                TrainingRecipe.baseline().changesTo(recipe));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.builder("mine").adapter("dora").textEncoderRank(4).build());
        assertTrue(e.getMessage().contains("'textEncoderRank'"), e.getMessage());
    }

    @Test
    void styleInjectionIsOffByDefaultAndAnObjectTakesStyleIdsDefaults() {
        assertOffUnlessGivenAndDefaultedByEmptyObject("styleInjection", StyleInjection.defaults(), TrainingRecipe.Generation::styleInjection);
        TrainingRecipe partial = TrainingRecipe.fromJson("{\"base\": \"baseline\", \"generation\": {\"styleInjection\": "
                + "{\"gamma\": 0.5, \"styleImage\": \"nearest-average\"}}}");
        StyleInjection injection = partial.generation().styleInjection();
        assertEquals(0.5, injection.gamma());
        assertEquals("nearest-average", injection.styleImage());
        assertEquals(StyleInjection.defaults().temperature(), injection.temperature());
        assertEquals(StyleInjection.DEFAULT_LAYERS, injection.layers());
        assertEquals(partial, TrainingRecipe.fromJson(partial.toJson()), "round trip");

        assertEquals(2.0, turnedOnByARerun("styleInjection", Map.of("temperature", 2.0)).styleInjection().temperature());
    }

    @Test
    void styleInjectionErrorsNameTheField() {
        String base = "{\"base\": \"safe\", \"generation\": {\"styleInjection\": ";
        assertField("generation.styleInjection.gamma", base + "{\"gamma\": 1.5}}}");
        assertField("generation.styleInjection.temperature", base + "{\"temperature\": 0}}}");
        assertField("generation.styleInjection.startStep", base + "{\"startStep\": 0}}}");
        assertField("generation.styleInjection.layers", base + "{\"layers\": []}}}");
        assertField("generation.styleInjection.layers", base + "{\"layers\": [\"decoder\"]}}}");
        assertField("generation.styleInjection.styleImage", base + "{\"styleImage\": \"random\"}}}");
        assertField("generation.styleInjection.gama", base + "{\"gama\": 0.5}}}");
        assertField("generation.styleInjection", base + "true}}");
    }

    @Test
    void styleGuidanceIsOffByDefaultAndAnObjectTakesItsDefaults() {
        assertOffUnlessGivenAndDefaultedByEmptyObject("styleGuidance", StyleGuidance.defaults(), TrainingRecipe.Generation::styleGuidance);
        TrainingRecipe partial = TrainingRecipe.fromJson("{\"base\": \"baseline\", \"generation\": {\"styleGuidance\": "
                + "{\"lastSteps\": 3}}}");
        assertEquals(new StyleGuidance(3, StyleGuidance.defaults().stepSize()), partial.generation().styleGuidance());
        assertEquals(partial, TrainingRecipe.fromJson(partial.toJson()), "round trip");
        assertEquals(0.1, turnedOnByARerun("styleGuidance", Map.of("stepSize", 0.1)).styleGuidance().stepSize());
    }

    @Test
    void styleGuidanceErrorsNameTheField() {
        String base = "{\"base\": \"safe\", \"generation\": {\"styleGuidance\": ";
        assertField("generation.styleGuidance.lastSteps", base + "{\"lastSteps\": 0}}}");
        assertField("generation.styleGuidance.stepSize", base + "{\"stepSize\": 0}}}");
        assertField("generation.styleGuidance.stepSize", base + "{\"stepSize\": -1}}}");
        assertField("generation.styleGuidance.lastStep", base + "{\"lastStep\": 2}}}");
        assertField("generation.styleGuidance", base + "true}}");
        IllegalArgumentException euler = assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.fromJson(
                "{\"base\": \"safe\", \"generation\": {\"scheduler\": \"euler\", \"styleGuidance\": {}}}"));
        assertTrue(euler.getMessage().contains("'generation.styleGuidance' needs generation.scheduler ddim"), euler.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.fromJson(
                "{\"base\": \"safe\", \"generation\": {\"styleInjection\": {}, \"styleGuidance\": {}}}"));
        assertTrue(both.getMessage().contains("'generation.styleGuidance' does not combine with generation.styleInjection"),
                both.getMessage());
    }

    /**
     * An optional settings object of {@code generation}: null in every preset and shown so in the JSON, {@code {}} takes
     * its defaults (the other generation settings stay the preset's), and a recipe stored before it existed reads as off.
     */
    private static void assertOffUnlessGivenAndDefaultedByEmptyObject(String field, Object defaults,
            java.util.function.Function<TrainingRecipe.Generation, Object> of) {
        for (String preset : TrainingRecipe.PRESETS) assertEquals(null, of.apply(TrainingRecipe.preset(preset).generation()), preset);
        assertTrue(TrainingRecipe.preset("safe").toJson().contains("\"" + field + "\" : null"), "the recipe JSON shows " + field);
        TrainingRecipe given = TrainingRecipe.fromJson("{\"base\": \"safe\", \"generation\": {\"" + field + "\": {}}}");
        assertEquals(defaults, of.apply(given.generation()));
        assertEquals(40, given.generation().steps(), "the rest of the generation settings stay the preset's");
        com.fasterxml.jackson.databind.node.ObjectNode old = TrainingRecipe.preset("safe").toJsonTree();
        ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("generation")).remove(field);
        assertEquals(TrainingRecipe.preset("safe"), TrainingRecipe.fromJson(old.toString()), "a recipe stored without " + field);
    }

    /** The safe preset's generation after a re-run's change sets {@code generation.<field>}; changesTo names the field. */
    private static TrainingRecipe.Generation turnedOnByARerun(String field, Map<String, ?> settings) {
        TrainingRecipe on = TrainingRecipe.preset("safe").with(Map.of("generation", Map.of(field, settings)));
        Map<String, List<Object>> changes = TrainingRecipe.preset("safe").changesTo(on);
        assertTrue(changes.containsKey("generation." + field), changes.toString());
        return on.generation();
    }

    private static void assertField(String field, String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.fromJson(json));
        assertTrue(e.getMessage().contains("'" + field + "'"), "message should name '" + field + "': " + e.getMessage());
    }
}

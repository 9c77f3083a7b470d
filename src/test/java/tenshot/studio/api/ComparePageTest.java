package tenshot.studio.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.studio.scores.ScorecardView;

/** The comparison page's columns and rows, without a server. */
class ComparePageTest {

    private static RunView run(long id, TrainingRecipe recipe, List<String> prompts) throws Exception {
        return run(id, recipe, prompts, true);
    }

    private static RunView run(long id, TrainingRecipe recipe, List<String> prompts, boolean train) throws Exception {
        List<RunView.Image> images = prompts.stream()
                .map(p -> new RunView.Image(p, "/api/runs/" + id + "/images/" + p + ".png", 42)).toList();
        return new RunView(id, 1, "00", 1, recipe.name(), new ObjectMapper().readTree(recipe.toJson()), train, "demo-sd21", "official",
                "SUCCEEDED", null, null, null, null, null, Instant.EPOCH, List.of(),
                new RunView.Downloads(null, null, null, null, null, images), null);
    }

    private static ScorecardView card(String finalScore, String hist) {
        return new ScorecardView("official", "Official", finalScore, finalScore == null ? "no model" : null, null, null,
                List.of(new ScorecardView.Row("hist", "hist", 0.4, "style", hist != null, hist, "", hist == null ? "not run" : null)));
    }

    @Test
    void methodsAreNamedFromTheRecipe() throws Exception {
        TrainingRecipe lora = TrainingRecipe.preset("baseline");
        TrainingRecipe dora = TrainingRecipe.fromJson("{\"base\": \"baseline\", \"adapter\": \"dora\"}");
        TrainingRecipe styleId = TrainingRecipe.fromJson("{\"base\": \"baseline\", \"generation\": {\"styleInjection\": {}}}");
        assertEquals("LoRA", ComparePage.method(run(1, lora, List.of())));
        assertEquals("DoRA", ComparePage.method(run(2, dora, List.of())));
        assertEquals("LoRA + StyleID", ComparePage.method(run(3, styleId, List.of())));
        assertEquals("StyleID, training-free", ComparePage.method(run(4, styleId, List.of(), false)));
        assertEquals("base model, no training", ComparePage.method(run(5, lora, List.of(), false)));
        TrainingRecipe guided = TrainingRecipe.fromJson("{\"base\": \"baseline\", \"generation\": {\"styleGuidance\": {}}}");
        assertEquals("LoRA + style guidance", ComparePage.method(run(6, guided, List.of())));
        assertEquals("style guidance, training-free", ComparePage.method(run(7, guided, List.of(), false)));
    }

    @Test
    void rowsLineUpPerPromptAndPerMetricWithGapsWhereARunHasNothing() throws Exception {
        TrainingRecipe recipe = TrainingRecipe.preset("baseline");
        List<ComparePage.Column> columns = List.of(
                new ComparePage.Column(run(1, recipe, List.of("Cat", "Dog")), "LoRA", card("0.31", "0.5")),
                new ComparePage.Column(run(2, recipe, List.of()), "DoRA", null),
                new ComparePage.Column(run(3, recipe, List.of("Dog")), "LoRA + StyleID", card(null, null)));
        List<ComparePage.PromptRow> prompts = ComparePage.promptRows(columns);
        assertEquals(List.of("Cat", "Dog"), prompts.stream().map(ComparePage.PromptRow::prompt).toList());
        assertEquals("/api/runs/1/images/Cat.png", prompts.get(0).images().get(0).url());
        assertNull(prompts.get(0).images().get(1));
        assertNull(prompts.get(0).images().get(2));
        assertEquals("/api/runs/3/images/Dog.png", prompts.get(1).images().get(2).url());

        List<ComparePage.MetricRow> metrics = ComparePage.metricRows(columns);
        assertEquals(List.of("0.31", "", "none: no model"), metrics.get(0).values());
        assertEquals("hist", metrics.get(1).label());
        assertEquals(List.of("0.5", "", "missing: not run"), metrics.get(1).values());
    }

    @Test
    void runIdsAreCheckedAndKeepTheirOrder() {
        assertEquals(List.of(8L, 3L, 5L), ComparePage.runIds("8, 3,5"));
        assertEquals(List.of(), ComparePage.runIds(null));
        ApiException bad = assertThrows(ApiException.class, () -> ComparePage.runIds("3,x"));
        assertEquals("runs", bad.subject());
        ApiException twice = assertThrows(ApiException.class, () -> ComparePage.runIds("3,3"));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    }
}

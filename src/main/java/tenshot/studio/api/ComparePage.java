package tenshot.studio.api;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.store.Run;
import tenshot.studio.BaseModels;
import tenshot.studio.BlockingIo;
import tenshot.studio.Runs;
import tenshot.studio.access.TeamScope;
import tenshot.studio.scores.ScorecardView;
import tenshot.studio.scores.StoredScorecards;

/**
 * The comparison page of a style set: its runs (LoRA, DoRA, StyleID…) side by side, one column per run
 * with its method and scorecard, one row per prompt with each run's image.
 */
@Path("/style-sets/{id}/compare")
@Produces(MediaType.TEXT_HTML)
public class ComparePage {

    @Inject
    @Location("pages/compare.html")
    Template page;

    @Inject
    TeamScope scope;

    @Inject
    Runs runs;

    @Inject
    BlockingIo blockingIo;

    @Inject
    StoredScorecards scorecards;

    @Inject
    BaseModels models;

    /** One run's column: the run, its method in words, its scorecard (null until scored). */
    public record Column(RunView run, String method, ScorecardView scorecard) {}

    /** One prompt's row: each column's image, null where that run has none yet. */
    public record PromptRow(String prompt, List<RunView.Image> images) {}

    /** One metric across the columns: each run's value, or why it is missing ("" when the run has no scorecard). */
    public record MetricRow(String label, List<String> values) {}

    @GET
    @WithSession
    @Operation(hidden = true)
    public Uni<TemplateInstance> compare(@PathParam("id") long id, @QueryParam("runs") String chosen) {
        List<Long> wanted = runIds(chosen);
        return scope.styleSet(id).chain(set -> scope.runs(id)).chain(all -> {
            List<Run> picked = pick(all, wanted, id);
            return Multi.createFrom().iterable(picked).onItem().transformToUniAndConcatenate(runs::view).collect().asList();
        }).chain(views -> blockingIo.run(() -> views.stream()
                .map(v -> new Column(v, method(v), scorecards.view(v.id()))).toList()))
                .map(columns -> page.data("styleSetId", id).data("columns", columns)
                        .data("prompts", promptRows(columns)).data("metrics", metricRows(columns)).data("demo", models.demoOnly()));
    }

    /** {@code runs=3,5,8}: those runs in that order; absent: every single-style run of the set, oldest first. */
    static List<Long> runIds(String chosen) {
        if (chosen == null || chosen.isBlank()) return List.of();
        Set<Long> ids = new LinkedHashSet<>();
        for (String part : chosen.split(",")) {
            try {
                if (!ids.add(Long.parseLong(part.strip()))) throw ApiException.badField("runs", "run " + part.strip() + " appears twice");
            } catch (NumberFormatException e) {
                throw ApiException.badField("runs", "give run ids separated by commas, e.g. 3,5,8; got '" + part.strip() + "'");
            }
        }
        return List.copyOf(ids);
    }

    private static List<Run> pick(List<Run> ofSet, List<Long> wanted, long styleSetId) {
        List<Run> single = ofSet.stream().filter(r -> !r.board).toList();
        if (wanted.isEmpty()) {
            List<Run> oldestFirst = new ArrayList<>(single);
            java.util.Collections.reverse(oldestFirst);
            return oldestFirst;
        }
        Map<Long, Run> byId = new LinkedHashMap<>();
        for (Run r : single) byId.put(r.id, r);
        List<Run> out = new ArrayList<>();
        for (Long runId : wanted) {
            Run r = byId.get(runId);
            if (r == null) throw ApiException.badField("runs", "run " + runId + " is not one of your runs of style set " + styleSetId);
            out.add(r);
        }
        return out;
    }

    /**
     * "LoRA" or "DoRA" from the run's recipe, with " + StyleID" or " + style guidance" when its generation adds one;
     * a run without training is "StyleID, training-free", "style guidance, training-free" or "base model, no training".
     */
    static String method(RunView run) {
        TrainingRecipe recipe = TrainingRecipe.fromJson(run.recipe().toString());
        TrainingRecipe.Generation generation = recipe.generation();
        String addition = generation.styleInjection() != null ? "StyleID" : generation.styleGuidance() != null ? "style guidance" : null;
        if (!run.train()) return addition == null ? "base model, no training" : addition + ", training-free";
        String adapter = recipe.usesDora() ? "DoRA" : "LoRA";
        return addition == null ? adapter : adapter + " + " + addition;
    }

    static List<PromptRow> promptRows(List<Column> columns) {
        Set<String> prompts = new LinkedHashSet<>();
        for (Column c : columns) for (RunView.Image image : c.run().downloads().images()) prompts.add(image.prompt());
        List<PromptRow> rows = new ArrayList<>();
        for (String prompt : prompts) {
            List<RunView.Image> images = new ArrayList<>();
            for (Column c : columns) {
                images.add(c.run().downloads().images().stream().filter(i -> i.prompt().equals(prompt)).findFirst().orElse(null));
            }
            rows.add(new PromptRow(prompt, images));
        }
        return rows;
    }

    static List<MetricRow> metricRows(List<Column> columns) {
        List<MetricRow> rows = new ArrayList<>();
        List<String> finals = new ArrayList<>();
        for (Column c : columns) {
            finals.add(c.scorecard() == null ? "" : c.scorecard().finalScore() != null ? c.scorecard().finalScore()
                    : "none: " + c.scorecard().finalNote());
        }
        rows.add(new MetricRow("Final score", finals));
        Map<String, List<String>> byMetric = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            ScorecardView card = columns.get(i).scorecard();
            if (card == null) continue;
            for (ScorecardView.Row m : card.metrics()) {
                List<String> values = byMetric.computeIfAbsent(m.label(), k -> new ArrayList<>());
                while (values.size() < i) values.add("");
                values.add(m.computed() ? m.value() : "missing: " + m.reason());
            }
        }
        byMetric.forEach((label, values) -> {
            while (values.size() < columns.size()) values.add("");
            rows.add(new MetricRow(label, values));
        });
        return rows;
    }
}

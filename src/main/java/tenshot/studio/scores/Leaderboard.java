package tenshot.studio.scores;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorecard;
import tenshot.store.Run;
import tenshot.store.Team;
import tenshot.studio.api.ApiException;

/**
 * Submissions of scored runs and the ranking built from them: per dataset and mode, each team's best
 * submission, ranked by final score (equal scores share a rank); submissions without a final score are
 * listed after the ranked ones, unranked, with the reason.
 */
@ApplicationScoped
public class Leaderboard {

    @Inject
    tenshot.studio.access.Caller caller;

    @Inject
    tenshot.studio.access.TeamScope scope;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}");

    @Inject
    StoredScorecards scorecards;

    @Inject
    tenshot.studio.quota.Quotas quotas;

    @Inject
    DatasetSplits splits;

    /** {@code POST /api/leaderboard/submissions} body. */
    public record SubmitRequest(List<Long> runIds, String dataset) {}

    /** A score with every metric (null when missing) and the reasons for the missing ones. */
    public record ScoreView(Double finalScore, String finalNote, Map<String, Double> metrics, Map<String, String> missing,
            Integer images) {}

    /**
     * A submission with its public score (the top-level fields) and its hidden score: {@code hidden} is
     * {@code none} (the dataset has no hidden prompts), {@code sealed} ({@code hiddenScore} null) or
     * {@code revealed}.
     */
    public record SubmissionView(long id, String team, String dataset, List<Long> runIds, String mode, Double finalScore,
            String finalNote, Map<String, Double> metrics, Map<String, String> missing, Integer publicImages,
            String hidden, ScoreView hiddenScore, JsonNode recipes, Instant createdAt) {}

    /** One team's line: its best submission; {@code rank} is null for an unranked one, with the reason. */
    public record Row(Integer rank, boolean tie, String team, Double finalScore, String unrankedReason,
            SubmissionView submission) {}

    /**
     * @param split {@code public} (the public prompts' scores) or {@code hidden} (after the reveal)
     */
    public record Board(String dataset, String mode, String split, DatasetSplits.Status status, List<String> metrics,
            List<Row> rows) {}

    public static final String PUBLIC = "public";
    public static final String HIDDEN = "hidden";

    /**
     * Stores a submission of scored runs: the public score at once, the hidden prompts' score sealed.
     * Every check on who may submit what belongs here (one path for the API and the page's form).
     */
    public Uni<SubmissionView> submit(SubmitRequest request) {
        String teamName = scope.teamForNewWork();
        if (request == null) throw ApiException.badField("body", "give {runIds: [..], dataset: \"A\"}");
        String dataset = dataset(request.dataset());
        if (request.runIds() == null || request.runIds().isEmpty()) throw ApiException.badField("runIds", "give at least one run id");
        if (request.runIds().stream().anyMatch(java.util.Objects::isNull)) throw ApiException.badField("runIds", "null run id");
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(request.runIds()));
        if (ids.size() != request.runIds().size()) throw ApiException.badField("runIds", "a run id is given twice");
        return Panache.withTransaction(() -> splits.lockForSubmission(dataset).chain(split -> Run.<Run>list("id in ?1", ids)
                .chain(found -> {
            Map<Long, Run> byId = new HashMap<>();
            found.forEach(r -> byId.put(r.id, r));
            List<SubmissionScore.Part> parts = new ArrayList<>();
            ArrayNode recipes = JSON.createArrayNode();
            Long teamId = caller.teamId();
            for (Long id : ids) {
                caller.owned(byId.get(id), byId.containsKey(id) ? byId.get(id).teamId : null, "run", id);
                Run run = byId.get(id);
                Scorecard card = scorecards.card(id).orElseThrow(() -> ApiException.conflict("runIds",
                        "run " + id + " has no scorecard yet (its SCORE job has not finished)"));
                parts.add(new SubmissionScore.Part(id, card, scorecards.fidFeatures(id).orElse(null)));
                ObjectNode recipe = recipes.addObject();
                recipe.put("runId", id);
                recipe.put("recipeName", run.recipeName);
                recipe.set("recipe", tree(run.recipe));
            }
            SubmissionScore visible;
            SubmissionScore sealed;
            try {
                visible = SubmissionScore.of(parts, (style, prompt) -> !split.isHidden(style, prompt));
                sealed = split.isEmpty() ? null : SubmissionScore.of(parts, split::isHidden);
            } catch (IllegalArgumentException e) {
                throw ApiException.conflict("runIds", e.getMessage());
            }
            Submission s = new Submission();
            s.teamId = teamId;
            s.dataset = dataset;
            s.runIds = String.join(",", ids.stream().map(String::valueOf).toList());
            s.mode = visible.mode().key();
            s.fill(visible);
            s.publicImages = visible.images();
            s.hiddenImages = sealed == null ? 0 : sealed.images();
            s.recipes = recipes.toString();
            long team = teamId;
            return quotas.admitSubmission(team).chain(() -> s.<Submission>persist()).chain(saved -> {
                if (sealed == null) return Uni.createFrom().item(saved);
                HiddenScore h = new HiddenScore();
                h.submissionId = saved.id;
                h.fill(sealed);
                return h.persist().replaceWith(saved);
            }).map(saved -> view(s, teamName, null, !split.isEmpty(), false));
        })));
    }

    public Uni<Board> board(String datasetName, String modeName, String splitName) {
        String dataset = dataset(datasetName);
        String mode = mode(modeName);
        String split = split(splitName);
        return splits.status(dataset).chain(status -> {
            boolean showHidden = splits.maySee(status);
            if (split.equals(HIDDEN) && !showHidden) throw DatasetSplits.sealed(dataset);
            return Submission.<Submission>list("dataset = ?1 and mode = ?2 order by id", dataset, mode)
                    .chain(subs -> teamNames(subs).chain(names -> hiddenScores(subs, showHidden)
                            .map(hidden -> rank(dataset, mode, split, status, subs, names, hidden, showHidden))));
        });
    }

    /** A team's submissions, newest first; optionally only one dataset's. */
    public Uni<List<SubmissionView>> history(String teamName, String datasetName) {
        return Team.findByName(teamName).chain(team -> {
            if (team == null) throw ApiException.notFound("team", teamName);
            Uni<List<Submission>> subs = datasetName == null || datasetName.isBlank()
                    ? Submission.list("teamId = ?1 order by id desc", team.id)
                    : Submission.list("teamId = ?1 and dataset = ?2 order by id desc", team.id, dataset(datasetName));
            return subs.chain(list -> splits.statuses(list.stream().map(s -> s.dataset).distinct().toList())
                    .chain(statuses -> {
                        List<Submission> visible = list.stream().filter(s -> splits.maySee(statuses.get(s.dataset))).toList();
                        return hiddenScores(visible, true).map(hidden -> list.stream().map(s -> view(s, team.name,
                                hidden.get(s.id), statuses.get(s.dataset).hiddenPrompts() > 0 || s.hiddenImages > 0,
                                splits.maySee(statuses.get(s.dataset)))).toList());
                    }));
        });
    }

    /** The datasets that have submissions or a split, with A and B always offered. */
    public Uni<List<String>> datasets() {
        return Submission.<Submission>listAll().chain(all -> LeaderboardDataset.<LeaderboardDataset>listAll().map(defined -> {
            TreeSet<String> names = new TreeSet<>(List.of("A", "B"));
            all.forEach(s -> names.add(s.dataset));
            defined.forEach(d -> names.add(d.name));
            return List.copyOf(names);
        }));
    }

    static Board rank(String dataset, String mode, String split, DatasetSplits.Status status, List<Submission> subs,
            Map<Long, String> names, Map<Long, HiddenScore> hidden, boolean showHidden) {
        // A team's best submission is chosen on the public score on both boards: the hidden board shows
        // how those same submissions do on the hidden prompts, so many submissions buy no hidden luck.
        Map<Long, Submission> best = new LinkedHashMap<>();
        for (Submission s : subs) {
            Submission current = best.get(s.teamId);
            if (current == null || better(s, current)) best.put(s.teamId, s);
        }
        java.util.function.Function<Submission, ScoreColumns> scoreOf = split.equals(HIDDEN) ? s -> hidden.get(s.id) : s -> s;
        java.util.function.Function<Submission, Double> finalOf = s -> {
            ScoreColumns c = scoreOf.apply(s);
            return c == null ? null : c.finalScore;
        };
        List<Submission> ranked = new ArrayList<>();
        List<Submission> unranked = new ArrayList<>();
        best.values().forEach(s -> (finalOf.apply(s) == null ? unranked : ranked).add(s));
        ranked.sort(Comparator.comparing((Submission s) -> -finalOf.apply(s)).thenComparing(s -> names.get(s.teamId)));
        unranked.sort(Comparator.comparing(s -> names.get(s.teamId)));
        List<Row> rows = new ArrayList<>();
        for (Submission s : ranked) {
            double score = finalOf.apply(s);
            int rank = 1;
            int equal = 0;
            for (Submission o : ranked) {
                if (finalOf.apply(o) > score) rank++;
                if (finalOf.apply(o) == score) equal++;
            }
            rows.add(new Row(rank, equal > 1, names.get(s.teamId), score, null,
                    view(s, names.get(s.teamId), hidden.get(s.id), status.hiddenPrompts() > 0 || s.hiddenImages > 0, showHidden)));
        }
        for (Submission s : unranked) {
            ScoreColumns c = scoreOf.apply(s);
            String reason = c == null ? "no score on the hidden prompts (submitted before they were defined)" : c.finalNote;
            rows.add(new Row(null, false, names.get(s.teamId), null, "unranked: " + reason,
                    view(s, names.get(s.teamId), hidden.get(s.id), status.hiddenPrompts() > 0 || s.hiddenImages > 0, showHidden)));
        }
        return new Board(dataset, mode, split, status, List.of(Metric.values()).stream().map(Metric::key).toList(), rows);
    }

    /** A scored submission beats an unscored one; among scored, the higher score, then the earlier; among unscored, the later. */
    private static boolean better(Submission candidate, Submission current) {
        if (candidate.finalScore == null) return current.finalScore == null;
        if (current.finalScore == null) return true;
        return candidate.finalScore > current.finalScore;
    }

    private static Uni<Map<Long, String>> teamNames(List<Submission> subs) {
        List<Long> ids = subs.stream().map(s -> s.teamId).distinct().toList();
        if (ids.isEmpty()) return Uni.createFrom().item(Map.of());
        return Team.<Team>list("id in ?1", ids).map(teams -> {
            Map<Long, String> names = new HashMap<>();
            teams.forEach(t -> names.put(t.id, t.name));
            return names;
        });
    }

    /** The hidden scores of these submissions; none read at all unless they may be shown. */
    private static Uni<Map<Long, HiddenScore>> hiddenScores(List<Submission> subs, boolean showHidden) {
        List<Long> ids = subs.stream().filter(s -> s.hiddenImages > 0).map(s -> s.id).toList();
        if (!showHidden || ids.isEmpty()) return Uni.createFrom().item(Map.of());
        return HiddenScore.<HiddenScore>list("submissionId in ?1", ids).map(list -> {
            Map<Long, HiddenScore> out = new HashMap<>();
            list.forEach(h -> out.put(h.submissionId, h));
            return out;
        });
    }

    /**
     * @param hasHidden the dataset has hidden prompts
     * @param showHidden the hidden score may be shown (revealed, or an organiser asks); else it is sealed
     */
    static SubmissionView view(Submission s, String team, HiddenScore hidden, boolean hasHidden, boolean showHidden) {
        ScoreView visible = scoreView(s, s.publicImages);
        String state = !hasHidden ? "none" : showHidden ? "revealed" : "sealed";
        ScoreView hiddenView = showHidden && hidden != null ? scoreView(hidden, s.hiddenImages) : null;
        return new SubmissionView(s.id, team, s.dataset, s.runIdList(), s.mode, visible.finalScore(), visible.finalNote(),
                visible.metrics(), visible.missing(), s.publicImages, state, hiddenView, tree(s.recipes), s.createdAt);
    }

    static ScoreView scoreView(ScoreColumns c, Integer images) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Metric m : Metric.values()) metrics.put(m.key(), c.value(m));
        Map<String, String> missing = new LinkedHashMap<>();
        tree(c.missing).fields().forEachRemaining(e -> missing.put(e.getKey(), e.getValue().asText()));
        return new ScoreView(c.finalScore, c.finalNote, metrics, missing, images);
    }

    static String dataset(String name) {
        String d = name == null || name.isBlank() ? "A" : name.strip();
        if (!DATASET.matcher(d).matches()) {
            throw ApiException.badField("dataset", "'" + name + "' is not a dataset name (A, B, or letters, digits, space, _ . - up to 64)");
        }
        return d;
    }

    static String split(String name) {
        String s = name == null || name.isBlank() ? PUBLIC : name.strip();
        if (!s.equals(PUBLIC) && !s.equals(HIDDEN)) throw ApiException.badField("split", "'" + name + "' is not public or hidden");
        return s;
    }

    static String mode(String name) {
        String m = name == null || name.isBlank() ? "official" : name.strip();
        if (!m.equals("official") && !m.equals("corrected")) throw ApiException.badField("mode", "'" + name + "' is not official or corrected");
        return m;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(Optional.ofNullable(json).orElse("null"));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

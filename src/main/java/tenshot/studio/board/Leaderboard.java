package tenshot.studio.board;

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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}");

    @Inject
    StoredScorecards scorecards;

    /** {@code POST /api/leaderboard/submissions} body. */
    public record SubmitRequest(List<Long> runIds, String dataset) {}

    /** A submission with its scores; {@code metrics} holds every metric (null when missing). */
    public record SubmissionView(long id, String team, String dataset, List<Long> runIds, String mode, Double finalScore,
            String finalNote, Map<String, Double> metrics, Map<String, String> missing, JsonNode recipes,
            Instant createdAt) {}

    /** One team's line: its best submission; {@code rank} is null for an unranked one, with the reason. */
    public record Row(Integer rank, boolean tie, String team, Double finalScore, String unrankedReason,
            SubmissionView submission) {}

    public record Board(String dataset, String mode, List<String> metrics, List<Row> rows) {}

    public Uni<SubmissionView> submit(SubmitRequest request) {
        if (request == null) throw ApiException.badField("body", "give {runIds: [..], dataset: \"A\"}");
        String dataset = dataset(request.dataset());
        if (request.runIds() == null || request.runIds().isEmpty()) throw ApiException.badField("runIds", "give at least one run id");
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(request.runIds()));
        if (ids.size() != request.runIds().size()) throw ApiException.badField("runIds", "a run id is given twice");
        if (ids.contains(null)) throw ApiException.badField("runIds", "null run id");
        return Panache.withTransaction(() -> Run.<Run>list("id in ?1", ids).chain(found -> {
            Map<Long, Run> byId = new HashMap<>();
            found.forEach(r -> byId.put(r.id, r));
            List<Scorecard> cards = new ArrayList<>();
            ArrayNode recipes = JSON.createArrayNode();
            Long teamId = null;
            for (Long id : ids) {
                Run run = byId.get(id);
                if (run == null) throw ApiException.notFound("run", id);
                if (teamId != null && !teamId.equals(run.teamId)) {
                    throw ApiException.conflict("runIds", "runs " + ids + " belong to different teams; a submission is one team's");
                }
                teamId = run.teamId;
                cards.add(scorecards.card(id).orElseThrow(() -> ApiException.conflict("runIds",
                        "run " + id + " has no scorecard yet (its SCORE job has not finished)")));
                ObjectNode recipe = recipes.addObject();
                recipe.put("runId", id);
                recipe.put("recipeName", run.recipeName);
                recipe.set("recipe", tree(run.recipe));
            }
            SubmissionScore score;
            try {
                score = SubmissionScore.of(cards);
            } catch (IllegalArgumentException e) {
                throw ApiException.conflict("runIds", e.getMessage());
            }
            Submission s = new Submission();
            s.teamId = teamId;
            s.dataset = dataset;
            s.runIds = String.join(",", ids.stream().map(String::valueOf).toList());
            s.mode = score.mode().key();
            s.finalScore = score.finalScore();
            s.finalNote = score.finalNote();
            for (Metric m : Metric.values()) s.value(m, score.values().get(m));
            ObjectNode missing = JSON.createObjectNode();
            score.missing().forEach((m, reason) -> missing.put(m.key(), reason));
            s.missing = missing.toString();
            s.recipes = recipes.toString();
            long team = teamId;
            return s.<Submission>persist().chain(saved -> Team.<Team>findById(team)).map(t -> view(s, t.name));
        }));
    }

    public Uni<Board> board(String datasetName, String modeName) {
        String dataset = dataset(datasetName);
        String mode = mode(modeName);
        return Submission.<Submission>list("dataset = ?1 and mode = ?2 order by id", dataset, mode)
                .chain(subs -> teamNames(subs).map(names -> rank(dataset, mode, subs, names)));
    }

    /** A team's submissions, newest first; optionally only one dataset's. */
    public Uni<List<SubmissionView>> history(String teamName, String datasetName) {
        return Team.findByName(teamName).chain(team -> {
            if (team == null) throw ApiException.notFound("team", teamName);
            Uni<List<Submission>> subs = datasetName == null || datasetName.isBlank()
                    ? Submission.list("teamId = ?1 order by id desc", team.id)
                    : Submission.list("teamId = ?1 and dataset = ?2 order by id desc", team.id, dataset(datasetName));
            return subs.map(list -> list.stream().map(s -> view(s, team.name)).toList());
        });
    }

    /** The datasets that have submissions, with A and B always offered. */
    public Uni<List<String>> datasets() {
        return Submission.<Submission>listAll().map(all -> {
            TreeSet<String> names = new TreeSet<>(List.of("A", "B"));
            all.forEach(s -> names.add(s.dataset));
            return List.copyOf(names);
        });
    }

    static Board rank(String dataset, String mode, List<Submission> subs, Map<Long, String> names) {
        Map<Long, Submission> best = new LinkedHashMap<>();
        for (Submission s : subs) {
            Submission current = best.get(s.teamId);
            if (current == null || better(s, current)) best.put(s.teamId, s);
        }
        List<Submission> ranked = new ArrayList<>();
        List<Submission> unranked = new ArrayList<>();
        best.values().forEach(s -> (s.finalScore == null ? unranked : ranked).add(s));
        ranked.sort(Comparator.comparing((Submission s) -> -s.finalScore).thenComparing(s -> names.get(s.teamId)));
        unranked.sort(Comparator.comparing(s -> names.get(s.teamId)));
        List<Row> rows = new ArrayList<>();
        for (Submission s : ranked) {
            int rank = 1;
            int equal = 0;
            for (Submission o : ranked) {
                if (o.finalScore > s.finalScore) rank++;
                if (o.finalScore.doubleValue() == s.finalScore.doubleValue()) equal++;
            }
            rows.add(new Row(rank, equal > 1, names.get(s.teamId), s.finalScore, null, view(s, names.get(s.teamId))));
        }
        for (Submission s : unranked) {
            rows.add(new Row(null, false, names.get(s.teamId), null, "unranked: " + s.finalNote, view(s, names.get(s.teamId))));
        }
        return new Board(dataset, mode, List.of(Metric.values()).stream().map(Metric::key).toList(), rows);
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

    static SubmissionView view(Submission s, String team) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Metric m : Metric.values()) metrics.put(m.key(), s.value(m));
        Map<String, String> missing = new LinkedHashMap<>();
        tree(s.missing).fields().forEachRemaining(e -> missing.put(e.getKey(), e.getValue().asText()));
        return new SubmissionView(s.id, team, s.dataset, s.runIdList(), s.mode, s.finalScore, s.finalNote, metrics, missing,
                tree(s.recipes), s.createdAt);
    }

    static String dataset(String name) {
        String d = name == null || name.isBlank() ? "A" : name.strip();
        if (!DATASET.matcher(d).matches()) {
            throw ApiException.badField("dataset", "'" + name + "' is not a dataset name (A, B, or letters, digits, space, _ . - up to 64)");
        }
        return d;
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

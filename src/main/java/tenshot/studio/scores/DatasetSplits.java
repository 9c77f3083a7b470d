package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tenshot.studio.access.AuditLog;
import tenshot.studio.access.Caller;
import tenshot.studio.api.ApiException;

/**
 * The public/hidden prompt split of each leaderboard dataset and its reveal. An organiser defines the
 * hidden prompts before the first submission (they cannot change once scores exist, or public and
 * hidden scores of earlier submissions would cover other prompts) and reveals them once; the reveal
 * cannot be undone. Who may see hidden scores is decided here only: everyone after the reveal,
 * organisers before it.
 */
@ApplicationScoped
public class DatasetSplits {

    static final int MAX_HIDDEN_PROMPTS = 10_000;

    @Inject
    Caller caller;

    @Inject
    AuditLog audit;

    /**
     * What anyone may know of a dataset's split: how many prompts are hidden, whether they are revealed;
     * {@code hidden} (the prompts per style) only to those who may see hidden scores.
     */
    public record Status(String dataset, int hiddenPrompts, boolean revealed, Instant revealedAt, String revealedBy,
            Instant splitDefinedAt, Map<String, List<String>> hidden) {}

    /** {@code PUT /api/leaderboard/datasets/{name}/split} body: style id → its hidden prompts. */
    public record SplitRequest(Map<String, List<String>> hidden) {}

    /** True when the caller may see this dataset's hidden scores. */
    public boolean maySee(Status status) {
        return status.revealed() || caller.isOrganiser();
    }

    static ApiException sealed(String dataset) {
        return new ApiException(403, "Forbidden", "the hidden scores of dataset " + dataset
                + " are sealed until an organiser reveals them", "split");
    }

    public Uni<Status> status(String dataset) {
        return LeaderboardDataset.<LeaderboardDataset>findById(dataset).chain(row -> prompts(dataset)
                .map(split -> status(dataset, row, split)));
    }

    public Uni<Map<String, Status>> statuses(List<String> datasets) {
        Uni<Map<String, Status>> all = Uni.createFrom().item(new HashMap<>());
        for (String d : datasets) all = all.chain(map -> status(d).map(s -> {
            map.put(d, s);
            return map;
        }));
        return all;
    }

    /**
     * The split a new submission is scored with, under a shared lock on the dataset's row so that the
     * split cannot change between reading it and storing the scores. Call inside the submission's transaction.
     */
    Uni<PromptSplit> lockForSubmission(String dataset) {
        return ensureRow(dataset).chain(() -> LeaderboardDataset.<LeaderboardDataset>findById(dataset, LockModeType.PESSIMISTIC_READ))
                .chain(row -> prompts(dataset));
    }

    public Uni<Status> define(String datasetName, SplitRequest request) {
        String dataset = Leaderboard.dataset(datasetName);
        PromptSplit split = validate(request);
        return Panache.withTransaction(() -> ensureRow(dataset)
                .chain(() -> LeaderboardDataset.<LeaderboardDataset>findById(dataset, LockModeType.PESSIMISTIC_WRITE))
                .chain(row -> {
                    if (row.revealed()) throw ApiException.conflict("split", "dataset " + dataset + " was revealed on "
                            + row.revealedAt + "; its split can no longer change");
                    return Submission.count("dataset", dataset).chain(count -> {
                        if (count > 0) throw ApiException.conflict("split", "dataset " + dataset + " already has " + count
                                + " submission(s) scored with its current split; define the split before the first submission");
                        return HiddenPrompt.delete("dataset", dataset).chain(() -> {
                            List<HiddenPrompt> rows = new ArrayList<>();
                            split.hidden().forEach((style, prompts) -> prompts.forEach(p -> {
                                HiddenPrompt h = new HiddenPrompt();
                                h.dataset = dataset;
                                h.style = style;
                                h.prompt = p;
                                rows.add(h);
                            }));
                            row.splitDefinedAt = Instant.now();
                            row.splitDefinedBy = caller.username();
                            return HiddenPrompt.persist(rows);
                        });
                    });
                }))
                .call(() -> audit.record(caller, "leaderboard.split", "dataset " + dataset,
                        split.size() + " hidden prompt(s) in " + split.hidden().size() + " style(s)"))
                .chain(() -> Panache.withSession(() -> status(dataset)));
    }

    public Uni<Status> reveal(String datasetName) {
        String dataset = Leaderboard.dataset(datasetName);
        return Panache.withTransaction(() -> LeaderboardDataset.<LeaderboardDataset>findById(dataset, LockModeType.PESSIMISTIC_WRITE)
                .chain(row -> prompts(dataset).chain(split -> {
                    if (row == null || split.isEmpty()) throw ApiException.conflict("split", "dataset " + dataset
                            + " has no hidden prompts to reveal");
                    if (row.revealed()) throw ApiException.conflict("split", "dataset " + dataset + " was already revealed on "
                            + row.revealedAt + " by " + row.revealedBy);
                    row.revealedAt = Instant.now();
                    row.revealedBy = caller.username();
                    return Submission.count("dataset = ?1 and hiddenImages > 0", dataset);
                })))
                .call(count -> audit.record(caller, "leaderboard.reveal", "dataset " + dataset,
                        "hidden scores of " + count + " submission(s) revealed"))
                .chain(() -> Panache.withSession(() -> status(dataset)));
    }

    private Status status(String dataset, LeaderboardDataset row, PromptSplit split) {
        boolean revealed = row != null && row.revealed();
        Status open = new Status(dataset, split.size(), revealed, revealed ? row.revealedAt : null,
                revealed ? row.revealedBy : null, row == null ? null : row.splitDefinedAt, split.asLists());
        if (maySee(open)) return open;
        return new Status(dataset, split.size(), false, null, null, open.splitDefinedAt(), null);
    }

    private static Uni<PromptSplit> prompts(String dataset) {
        return HiddenPrompt.<HiddenPrompt>list("dataset", dataset).map(PromptSplit::of);
    }

    /** Inserts the dataset's row unless it exists (concurrent first submissions must not collide). */
    private static Uni<Void> ensureRow(String dataset) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("INSERT INTO leaderboard_dataset (name) VALUES (:name) ON CONFLICT (name) DO NOTHING")
                .setParameter("name", dataset).executeUpdate()).replaceWithVoid();
    }

    private static PromptSplit validate(SplitRequest request) {
        if (request == null || request.hidden() == null) {
            throw ApiException.badField("hidden", "give {\"hidden\": {\"00\": [\"Dolphin\", ...]}}: style id → hidden prompts ({} for none)");
        }
        Map<String, Set<String>> hidden = new LinkedHashMap<>();
        int total = 0;
        for (Map.Entry<String, List<String>> e : request.hidden().entrySet()) {
            String style = e.getKey() == null ? "" : e.getKey().strip();
            if (style.isEmpty() || style.length() > 64) throw ApiException.badField("hidden", "a style id is empty or longer than 64 characters");
            if (e.getValue() == null) throw ApiException.badField("hidden." + style, "give a list of prompts");
            Set<String> prompts = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            for (String p : e.getValue()) {
                String prompt = p == null ? "" : p.strip();
                if (prompt.isEmpty() || prompt.length() > 200) {
                    throw ApiException.badField("hidden." + style, "a prompt is empty or longer than 200 characters");
                }
                if (!prompts.add(prompt)) throw ApiException.badField("hidden." + style, "prompt '" + prompt + "' is given twice");
            }
            total += prompts.size();
            if (total > MAX_HIDDEN_PROMPTS) throw ApiException.badField("hidden", "more than " + MAX_HIDDEN_PROMPTS + " hidden prompts");
            if (hidden.put(style, prompts) != null) throw ApiException.badField("hidden", "style " + style + " is given twice");
        }
        return new PromptSplit(hidden);
    }
}

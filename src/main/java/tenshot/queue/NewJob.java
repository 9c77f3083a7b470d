package tenshot.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What to enqueue. Build with {@code NewJob.of("TRAIN").run(runId).team("a").dependsOn(priorJob.id())}.
 *
 * @param dedupeKey when set, enqueueing the same key again returns the existing job instead of a new
 *     one (a failed or cancelled job with that key is queued again)
 * @param dependsOn jobs that must succeed first; if one fails or is cancelled, this job is cancelled
 * @param needs the device it needs; a GPU job goes to a CPU worker only while no GPU worker answers
 */
public record NewJob(
        String kind, Long runId, String team, int priority, JsonNode payload, List<Long> dependsOn,
        String dedupeKey, int maxAttempts, Needs needs) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    public NewJob {
        if (kind == null || kind.isBlank()) throw new IllegalArgumentException("job kind is empty");
        if (team == null || team.isBlank()) throw new IllegalArgumentException("job team is empty");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        needs = needs == null ? Needs.ANY : needs;
        payload = payload == null ? JsonNodeFactory.instance.objectNode() : payload;
        dependsOn = List.copyOf(dependsOn == null ? List.of() : dependsOn);
    }

    public static NewJob of(String kind) {
        return new NewJob(kind, null, "default", 0, null, List.of(), null, DEFAULT_MAX_ATTEMPTS, Needs.ANY);
    }

    public NewJob run(Long id) {
        return new NewJob(kind, id, team, priority, payload, dependsOn, dedupeKey, maxAttempts, needs);
    }

    public NewJob team(String name) {
        return new NewJob(kind, runId, name, priority, payload, dependsOn, dedupeKey, maxAttempts, needs);
    }

    /** Higher runs first. */
    public NewJob priority(int value) {
        return new NewJob(kind, runId, team, value, payload, dependsOn, dedupeKey, maxAttempts, needs);
    }

    public NewJob payload(JsonNode json) {
        return new NewJob(kind, runId, team, priority, json, dependsOn, dedupeKey, maxAttempts, needs);
    }

    public NewJob dependsOn(long... jobIds) {
        List<Long> all = new ArrayList<>(dependsOn);
        for (long id : jobIds) all.add(id);
        return new NewJob(kind, runId, team, priority, payload, all, dedupeKey, maxAttempts, needs);
    }

    public NewJob dependsOn(List<Long> jobIds) {
        List<Long> all = new ArrayList<>(dependsOn);
        all.addAll(jobIds);
        return new NewJob(kind, runId, team, priority, payload, all, dedupeKey, maxAttempts, needs);
    }

    public NewJob dedupeKey(String key) {
        return new NewJob(kind, runId, team, priority, payload, dependsOn, key, maxAttempts, needs);
    }

    public NewJob maxAttempts(int value) {
        return new NewJob(kind, runId, team, priority, payload, dependsOn, dedupeKey, value, needs);
    }

    public NewJob needs(Needs value) {
        return new NewJob(kind, runId, team, priority, payload, dependsOn, dedupeKey, maxAttempts, value);
    }
}

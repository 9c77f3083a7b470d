package tenshot.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A job changed: its compact JSON form (the SQL function {@code job_event_json}: ids, state,
 * progress, attempts, error; never images), as NOTIFY carries it and the SSE stream sends it.
 *
 * @param waitingRuns other runs whose jobs wait for this one (it is shared with them)
 */
public record JobEvent(long jobId, Long runId, List<Long> waitingRuns, String team, JobState state,
                       boolean cancelRequested, long version, ObjectNode json) {

    public static JobEvent of(ObjectNode json) {
        JsonNode run = json.get("runId");
        List<Long> waiting = new ArrayList<>();
        for (JsonNode r : json.path("waitingRuns")) waiting.add(r.asLong());
        return new JobEvent(json.get("id").asLong(), run == null || run.isNull() ? null : run.asLong(),
                List.copyOf(waiting), json.get("team").asText(), JobState.fromDb(json.get("state").asText()),
                json.path("cancelRequested").asBoolean(false), json.get("version").asLong(), json);
    }
}

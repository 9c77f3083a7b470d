package tenshot.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A job changed: its compact JSON form (the SQL function {@code job_event_json}: ids, state,
 * progress, attempts, error; never images), as NOTIFY carries it and the SSE stream sends it.
 */
public record JobEvent(long jobId, Long runId, String team, JobState state, boolean cancelRequested,
                       long version, ObjectNode json) {

    public static JobEvent of(ObjectNode json) {
        JsonNode run = json.get("runId");
        return new JobEvent(json.get("id").asLong(), run == null || run.isNull() ? null : run.asLong(),
                json.get("team").asText(), JobState.fromDb(json.get("state").asText()),
                json.path("cancelRequested").asBoolean(false), json.get("version").asLong(), json);
    }
}

package tenshot.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The job columns every query selects, and how a row becomes a {@link Job}. */
final class JobRows {

    /** Columns of table {@code job} (unaliased), JSON as text so Jackson parses it. */
    static final String COLUMNS = """
            job.id, job.kind, job.run_id, job.team, job.priority, job.payload::text AS payload,
            job.dedupe_key, job.state, job.pending_deps, job.attempts, job.max_attempts, job.not_before,
            job.lease_owner, job.lease_expires_at, job.cancel_requested, job.cancel_reason,
            job.progress::text AS progress, job.checkpoint, job.result::text AS result, job.error,
            job.created_at, job.started_at, job.finished_at, job.version, job.needs,
            (SELECT coalesce(array_agg(d.depends_on ORDER BY d.depends_on), '{}')
               FROM job_dependency d WHERE d.job_id = job.id) AS depends_on""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobRows() {}

    static Job job(Row row) {
        Long[] deps = row.getArrayOfLongs("depends_on");
        return new Job(
                row.getLong("id"), row.getString("kind"), row.getLong("run_id"), row.getString("team"),
                row.getInteger("priority"), json(row.getString("payload")), row.getString("dedupe_key"),
                JobState.fromDb(row.getString("state")), deps == null ? List.of() : Arrays.asList(deps),
                row.getInteger("pending_deps"), row.getInteger("attempts"), row.getInteger("max_attempts"),
                instant(row, "not_before"), row.getString("lease_owner"), instant(row, "lease_expires_at"),
                row.getBoolean("cancel_requested"), row.getString("cancel_reason"),
                json(row.getString("progress")), row.getString("checkpoint"), json(row.getString("result")),
                row.getString("error"), instant(row, "created_at"), instant(row, "started_at"),
                instant(row, "finished_at"), row.getLong("version"),
                Needs.fromDb(row.getString("needs")));
    }

    static List<Job> jobs(RowSet<Row> rows) {
        List<Job> out = new ArrayList<>(rows.size());
        for (Row row : rows) out.add(job(row));
        return out;
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static JsonNode json(String text) {
        if (text == null) return null;
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job column holds invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String text(Object value) {
        if (value == null) return null;
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}

package tenshot.studio.quota;

import tenshot.queue.FailureKind;

import static io.restassured.RestAssured.given;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import tenshot.studio.access.TestAccounts;
import tenshot.studio.upload.BadImages;

/** Style sets and runs through the API, and what workers would have recorded, written to the database. */
final class QuotaFixtures {

    private final Pool pool;

    QuotaFixtures(Pool pool) {
        this.pool = pool;
    }

    /**
     * A style set of the team, uploaded through the API (two small images, two prompts) by a member of
     * the team, as whom the test goes on.
     */
    static long styleSet(String team) throws Exception {
        TestAccounts.member(team).forAllRequests();
        int id = given().multiPart("name", "set of " + team).multiPart("styleId", "00")
                .multiPart("prompts", "{\"0\": \"Dolphin\", \"1\": \"Bread\"}")
                .multiPart("images", "red_apple.png", picture(Color.RED), "image/png")
                .multiPart("images", "blue_car.png", picture(Color.BLUE), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().path("id");
        return id;
    }

    /** POST /api/runs for the style set; the caller checks the answer. */
    static io.restassured.response.Response start(long styleSetId) {
        return given().contentType("application/json")
                .body("{\"styleSetId\": " + styleSetId + ", \"recipe\": {\"base\": \"baseline\", \"steps\": 5}}")
                .when().post("/api/runs");
    }

    static long startOk(long styleSetId) {
        return start(styleSetId).then().statusCode(201).extract().<Integer>path("id");
    }

    long teamId(String team) {
        return pool.preparedQuery("SELECT id FROM team WHERE name = $1").execute(Tuple.of(team))
                .await().indefinitely().iterator().next().getLong("id");
    }

    long count(String sql, Object... params) {
        Row row = pool.preparedQuery(sql).execute(Tuple.tuple(Arrays.asList(params))).await().indefinitely().iterator().next();
        return row.getLong(0);
    }

    void execute(String sql, Object... params) {
        pool.preparedQuery(sql).execute(Tuple.tuple(Arrays.asList(params))).await().indefinitely();
    }

    /** The run's TRAIN job. */
    long trainJob(long runId) {
        return count("SELECT id FROM job WHERE run_id = $1 AND kind = 'TRAIN'", runId);
    }

    /** The EVALUATE job of a new evaluation by the team (a job of no run, as the evaluations API queues it). */
    long evaluationJob(String team, long styleSetId) {
        long job = count("INSERT INTO job (kind, team) VALUES ('EVALUATE', $1) RETURNING id", team);
        execute("INSERT INTO evaluation (team_id, style_set_id, style_set_ids, job_id, images) VALUES ($1, $2, $2::text, $3, 2)",
                teamId(team), styleSetId, job);
        return job;
    }

    /**
     * An attempt at the job as a worker records it: {@code outcome} null while running; {@code detail}
     * is the stack trace the worker stores for a failure.
     */
    /** An attempt of {@code jobId}; {@code failureKind} is set for failed ones only, as the queue does. */
    void attempt(long jobId, Instant started, Instant finished, String outcome, FailureKind failureKind, String detail) {
        execute("""
                INSERT INTO job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, failure_kind, detail)
                VALUES ($1, (SELECT coalesce(max(attempt), 0) + 1 FROM job_attempt WHERE job_id = $1), 'test-worker',
                        $2, $3, $4, $5, $6)""", jobId, utc(started), finished == null ? null : utc(finished), outcome,
                failureKind == null ? null : failureKind.db(), detail);
    }

    void attempt(long jobId, Instant started, Instant finished, String outcome) {
        attempt(jobId, started, finished, outcome, null, null);
    }

    static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static byte[] picture(Color color) throws Exception {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        return BadImages.png(image);
    }
}

package tenshot.studio.quota;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.upload.BadImages;

/**
 * A run's row, a board's style sets and all of the run's jobs are written in one transaction: a failure
 * while the jobs are inserted leaves no run row, and a run row refused at commit (after its jobs were
 * inserted) leaves no jobs. Failures are injected with database triggers on this test's teams only.
 */
@QuarkusTest
@TestProfile(QuotaTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class RunCreationAtomicityTest {

    private static final String RECIPE = "{\"base\": \"baseline\", \"steps\": 5}";

    @Inject
    Pool pool;

    QuotaFixtures db;

    @BeforeEach
    void fixtures() {
        db = new QuotaFixtures(pool);
    }

    @AfterEach
    void dropTriggers() {
        db.execute("DROP TRIGGER IF EXISTS test_refuse_score_job ON job");
        db.execute("DROP TRIGGER IF EXISTS test_refuse_run_with_jobs ON run");
    }

    @Test
    void aJobThatCannotBeInsertedLeavesNoRunBehind() throws Exception {
        long set = QuotaFixtures.styleSet("atomic-jobs");
        long second = styleSet("01");
        db.execute("""
                CREATE OR REPLACE FUNCTION test_refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'test: the % job of run % is refused', NEW.kind, NEW.run_id; END $$""");
        // SCORE is the last job of the chain: the run row and its other jobs are written before it fails.
        db.execute("""
                CREATE TRIGGER test_refuse_score_job BEFORE INSERT ON job FOR EACH ROW
                WHEN (NEW.kind = 'SCORE' AND NEW.team = 'atomic-jobs') EXECUTE FUNCTION test_refuse_job()""");
        long teamId = db.teamId("atomic-jobs");

        QuotaFixtures.start(set).then().statusCode(500).body("detail", containsString("the SCORE job of run"));
        assertNothingOf(teamId);

        given().contentType("application/json").body("{\"styleSetIds\": [" + set + ", " + second + "], \"recipe\": " + RECIPE + "}")
                .when().post("/api/runs").then().statusCode(500).body("detail", containsString("the SCORE job of run"));
        assertNothingOf(teamId);

        db.execute("DROP TRIGGER test_refuse_score_job ON job");
        long run = QuotaFixtures.startOk(set);
        assertEquals(List.of("TRAIN", "GENERATE", "ASSEMBLE", "SCORE"), kinds(run), "without the fault the same request creates the run");
    }

    @Test
    void aRunRowRefusedAtCommitLeavesNoJobsBehind() throws Exception {
        long set = QuotaFixtures.styleSet("atomic-run");
        long second = styleSet("01");
        long teamId = db.teamId("atomic-run");
        // Deferred to commit, when the run's jobs have been inserted; it refuses only a run that has jobs
        // in its own transaction, so a run committed before its jobs would stay and fail the checks below.
        db.execute("""
                CREATE OR REPLACE FUNCTION test_refuse_run_with_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM job WHERE run_id = NEW.id) THEN
                        RAISE EXCEPTION 'test: run % is refused at commit', NEW.id;
                    END IF;
                    RETURN NULL;
                END $$""");
        db.execute("""
                CREATE CONSTRAINT TRIGGER test_refuse_run_with_jobs AFTER INSERT ON run DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW.team_id = %d) EXECUTE FUNCTION test_refuse_run_with_jobs()""".formatted(teamId));

        QuotaFixtures.start(set).then().statusCode(500).body("detail", containsString("is refused at commit"));
        assertNothingOf(teamId);

        given().contentType("application/json").body("{\"styleSetIds\": [" + set + ", " + second + "], \"recipe\": " + RECIPE + "}")
                .when().post("/api/runs").then().statusCode(500).body("detail", containsString("is refused at commit"));
        assertNothingOf(teamId);
    }

    private void assertNothingOf(long teamId) {
        assertEquals(0, db.count("SELECT count(*) FROM run WHERE team_id = $1", teamId), "runs of the team");
        assertEquals(0, db.count("SELECT count(*) FROM board_style_set b JOIN style_set s ON s.id = b.style_set_id WHERE s.team_id = $1",
                teamId), "board rows of the team's style sets");
        assertEquals(0, db.count("SELECT count(*) FROM job WHERE team = (SELECT name FROM team WHERE id = $1)", teamId),
                "jobs of the team");
    }

    private List<String> kinds(long run) {
        return pool.preparedQuery("SELECT kind FROM job WHERE run_id = $1 ORDER BY id").execute(io.vertx.mutiny.sqlclient.Tuple.of(run))
                .await().indefinitely().stream().map(row -> row.getString("kind")).toList();
    }

    /** Another style set of the team signed in now, with another style id (a board has one set per style). */
    private static long styleSet(String styleId) throws Exception {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        return given().multiPart("name", "set " + styleId).multiPart("styleId", styleId)
                .multiPart("prompts", "{\"0\": \"Dolphin\"}")
                .multiPart("images", "green_leaf.png", BadImages.png(image), "image/png")
                .when().post("/api/style-sets").then().statusCode(201).extract().<Integer>path("id");
    }
}

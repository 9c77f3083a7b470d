package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.restassured.path.json.JsonPath;
import java.time.Duration;

/** Polls {@code GET /api/runs/{id}} until the run leaves QUEUED and RUNNING (or 15 minutes pass). */
final class RunPolling {

    private RunPolling() {}

    static JsonPath untilEnded(int run) throws InterruptedException {
        JsonPath view = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            view = given().when().get("/api/runs/" + run).then().statusCode(200).extract().jsonPath();
            String status = view.getString("status");
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) break;
            Thread.sleep(500);
        }
        assertNotNull(view);
        return view;
    }
}

package tenshot.ui;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The studio as people use it: Quinoa builds the web UI bundle (and runs its own unit tests,
 * {@code npm test}) and serves it under /ui/, which plain @QuarkusTest runs leave out.
 */
public class UiTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // progress and previews as often as a person watching wants them (the defaults spare a busy GPU host)
        return Map.of("quarkus.quinoa", "true", "quarkus.quinoa.run-tests", "true",
                "tenshot.worker.progress-interval", "250ms", "tenshot.worker.preview-interval", "1s");
    }
}

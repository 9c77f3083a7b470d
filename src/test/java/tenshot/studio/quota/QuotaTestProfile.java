package tenshot.studio.quota;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * API role only, so that no worker takes the runs these tests start (their jobs stay queued), and
 * small default limits that the tests reach; tests set a team's own limits through the organiser API.
 */
public class QuotaTestProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "tenshot.role", "api",
                "tenshot.quota.concurrent-runs", "2",
                "tenshot.quota.gpu-minutes-per-day", "60",
                "tenshot.quota.submissions-per-day", "2");
    }
}

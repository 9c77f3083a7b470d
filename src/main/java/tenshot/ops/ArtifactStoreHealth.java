package tenshot.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import tenshot.store.ArtifactStore;

/**
 * Ready only while the artifact store takes a write and gives it back: a probe object under
 * {@code health/} is written, read and deleted (every process uses its own key).
 */
@Readiness
@ApplicationScoped
public class ArtifactStoreHealth implements HealthCheck {

    private final ArtifactStore store;
    private final String key = "health/probe-" + UUID.randomUUID();

    @Inject
    public ArtifactStoreHealth(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("artifact store").withData("store", store.getClass().getSimpleName());
        byte[] probe = ("probe " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
        try {
            store.put(key, probe);
            byte[] back;
            try (InputStream in = store.open(key)) {
                back = in.readAllBytes();
            }
            store.delete(key);
            if (!Arrays.equals(probe, back)) {
                return response.down().withData("error", "read back " + back.length + " bytes that differ from the "
                        + probe.length + " written to " + key).build();
            }
            return response.up().build();
        } catch (IOException | RuntimeException e) {
            return response.down().withData("error", e.toString()).build();
        }
    }
}

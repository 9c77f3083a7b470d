package tenshot.studio.limits;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code tenshot.limits.*} settings: request body sizes, JSON shape, and request rates. Static-init
 * safe because the REST ObjectMapper (JSON limits) is built during static initialisation.
 */
@StaticInitSafe
@ConfigMapping(prefix = "tenshot.limits")
public interface LimitsConfig {

    /** Largest body of a JSON endpoint. Uploads (multipart endpoints) have {@code quarkus.http.limits.max-body-size}. */
    @WithDefault("1M")
    MemorySize jsonBody();

    /** Largest body of any other endpoint: HTML form posts, small text bodies. */
    @WithDefault("64K")
    MemorySize formBody();

    Json json();

    /** Rate limits by name ({@code upload}, {@code sign-in}): each a token bucket per caller. */
    Map<String, Rate> rate();

    interface Json {
        @WithDefault("64")
        int maxDepth();

        @WithDefault("262144")
        int maxStringLength();

        @WithDefault("100")
        int maxNumberLength();

        @WithDefault("1000")
        int maxNameLength();
    }

    /** {@code requests} per {@code period}, refilled evenly: a burst of {@code requests}, then one per period/requests. */
    interface Rate {
        int requests();

        Duration period();
    }
}

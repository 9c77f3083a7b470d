package tenshot.studio.quota;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The time quotas are measured at; its own bean so that tests can move it across a UTC midnight. */
@ApplicationScoped
public class QuotaClock {

    public Instant now() {
        return Instant.now();
    }
}

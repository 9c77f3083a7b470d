package tenshot.studio.quota;

import io.quarkus.test.junit.QuarkusMock;
import java.time.Instant;

/** The quota clock at a time a test chooses (for the current test method only). */
final class SetClock extends QuotaClock {

    private volatile Instant now;

    private SetClock(Instant now) {
        this.now = now;
    }

    static SetClock at(String instant) {
        SetClock clock = new SetClock(Instant.parse(instant));
        QuarkusMock.installMockForType(clock, QuotaClock.class);
        return clock;
    }

    void set(String instant) {
        now = Instant.parse(instant);
    }

    @Override
    public Instant now() {
        return now;
    }
}

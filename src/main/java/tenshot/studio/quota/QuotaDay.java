package tenshot.studio.quota;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** The quota day: from 00:00 UTC to the next 00:00 UTC, whatever the server's or the team's time zone. */
public record QuotaDay(Instant start, Instant end) {

    public static QuotaDay of(Instant at) {
        Instant start = at.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant();
        return new QuotaDay(start, start.plus(1, ChronoUnit.DAYS));
    }
}

package tenshot.studio.quota;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One limit of a team with its current use, for the quota API and the UI ("3 of 5 GPU-hours used
 * today, resets 00:00 UTC").
 *
 * @param fromDefault true when the configured default applies, false for the organiser's override
 * @param resetsAt null for concurrent runs, which free up when a run finishes
 * @param activeRuns for concurrent runs: the runs that count
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LimitUse(Limit limit, int value, Number used, String unit, boolean fromDefault,
                       @JsonInclude(JsonInclude.Include.ALWAYS) Instant resetsAt, String resetsWhen,
                       List<Long> activeRuns) {

    /** True when the team may not start (or submit) more under this limit. */
    public boolean reached() {
        return used.doubleValue() >= value;
    }
}

package tenshot.studio.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The limits of every team without an override of its own ({@code tenshot.quota.*} in application.properties). */
@ConfigMapping(prefix = "tenshot.quota")
public interface QuotaDefaults {

    /** Runs of one team that may be queued or running at once. */
    @WithDefault("2")
    int concurrentRuns();

    /** Worker run time per team per UTC day, in minutes. */
    @WithDefault("240")
    int gpuMinutesPerDay();

    /** Leaderboard submissions per team per UTC day. */
    @WithDefault("5")
    int submissionsPerDay();
}

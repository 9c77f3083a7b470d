package tenshot.studio.quota;

/**
 * One team's limits: the organiser's override where there is one (non-null), else the default.
 *
 * @param overrides the team's own values, each null where the default applies
 */
public record TeamLimits(int concurrentRuns, int gpuMinutesPerDay, int submissionsPerDay, Overrides overrides) {

    /** A team's own values; null fields take the defaults. */
    public record Overrides(Integer concurrentRuns, Integer gpuMinutesPerDay, Integer submissionsPerDay) {

        public static final Overrides NONE = new Overrides(null, null, null);

        public boolean none() {
            return concurrentRuns == null && gpuMinutesPerDay == null && submissionsPerDay == null;
        }
    }

    public static TeamLimits of(QuotaDefaults defaults, Overrides own) {
        Overrides o = own == null ? Overrides.NONE : own;
        return new TeamLimits(
                o.concurrentRuns() != null ? o.concurrentRuns() : defaults.concurrentRuns(),
                o.gpuMinutesPerDay() != null ? o.gpuMinutesPerDay() : defaults.gpuMinutesPerDay(),
                o.submissionsPerDay() != null ? o.submissionsPerDay() : defaults.submissionsPerDay(),
                o);
    }
}

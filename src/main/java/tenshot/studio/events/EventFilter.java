package tenshot.studio.events;

import java.util.List;
import java.util.Set;
import tenshot.queue.JobEvent;

/**
 * Which jobs one page shows: those of some runs (including jobs of other runs they share, such as
 * prior images), those of a team, or (neither given) all of them. Runs and team together mean either.
 * Whatever is asked, only jobs of {@code visibleTeam} are shown (null: every team's, for organisers).
 */
record EventFilter(Set<Long> runs, String team, String visibleTeam) {

    boolean everything() {
        return runs.isEmpty() && team == null;
    }

    boolean matches(JobEvent e) {
        return visible(e.team()) && matchesAsked(e);
    }

    boolean visible(String jobTeam) {
        return visibleTeam == null || visibleTeam.equals(jobTeam);
    }

    private boolean matchesAsked(JobEvent e) {
        return everything() || (e.runId() != null && runs.contains(e.runId()))
                || e.waitingRuns().stream().anyMatch(runs::contains) || (team != null && team.equals(e.team()));
    }

    /** Parses {@code run} parameters, each one id or a comma-separated list of ids. */
    static EventFilter parse(List<String> runParams, String team, String visibleTeam) {
        java.util.Set<Long> runs = new java.util.TreeSet<>();
        if (runParams != null) {
            for (String param : runParams) {
                for (String part : param.split(",")) {
                    String s = part.trim();
                    if (s.isEmpty()) continue;
                    try {
                        runs.add(Long.parseLong(s));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("query parameter run has '" + s + "', which is not a run id");
                    }
                }
            }
        }
        return new EventFilter(Set.copyOf(runs), team == null || team.isBlank() ? null : team.trim(), visibleTeam);
    }
}

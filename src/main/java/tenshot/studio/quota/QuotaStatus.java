package tenshot.studio.quota;

import java.time.Instant;

/** A team's limits and what it used of them in the current UTC day ({@code dayStart} to {@code dayEnd}). */
public record QuotaStatus(long teamId, String team, Instant dayStart, Instant dayEnd, LimitUse concurrentRuns,
                          LimitUse gpuMinutesPerDay, LimitUse submissionsPerDay) {}

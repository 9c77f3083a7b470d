package tenshot.queue;

/** A job a worker holds the lease of, and which attempt (1-based over the job's whole life) this is. */
public record Claim(Job job, int attempt) {}

package tenshot.queue;

import java.time.Duration;

/**
 * How a claim treats jobs that need a GPU. A GPU worker takes them; a CPU worker takes them only while
 * no GPU worker that runs their kind answers (the single-machine demo), or when
 * {@code cpuTakesGpuJobs} is on ({@code tenshot.worker.cpu-takes-gpu-jobs}).
 *
 * @param lostAfter a worker whose last heartbeat is older than this no longer counts as answering
 */
public record GpuRouting(boolean cpuTakesGpuJobs, Duration lostAfter) {}

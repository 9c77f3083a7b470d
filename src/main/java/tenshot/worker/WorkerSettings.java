package tenshot.worker;

import java.nio.file.Path;
import java.time.Duration;
import tenshot.queue.GpuRouting;

/**
 * How a worker paces itself.
 *
 * @param lease how long a claim holds without a heartbeat; a dead worker's job returns after this
 * @param heartbeat how often the lease is renewed and the worker row touched (well below {@code lease})
 * @param poll how long an idle worker waits before looking for work again (new jobs also wake it)
 * @param progressInterval least time between two stored progress reports of one job
 * @param previewInterval least time between two stored preview images of one job
 * @param shutdownGrace how long a stopping worker waits for its job to reach a step before releasing it
 * @param cpuTakesGpuJobs whether a CPU worker takes jobs that need a GPU while GPU workers answer
 * @param engineNiceness the nice value of the engine thread and the PyTorch threads it starts (0 leaves it as is)
 */
public record WorkerSettings(
        Duration lease, Duration heartbeat, Duration poll, Duration progressInterval, Duration previewInterval,
        Path scratchRoot, int modelCacheSize, Duration shutdownGrace, boolean cpuTakesGpuJobs,
        int engineNiceness) {

    public WorkerSettings {
        if (engineNiceness < 0 || engineNiceness > 19) {
            throw new IllegalArgumentException("tenshot.worker.engine-niceness must be in 0..19, was " + engineNiceness);
        }
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("tenshot.worker.heartbeat (" + heartbeat
                    + ") must be shorter than tenshot.worker.lease (" + lease + ")");
        }
    }

    /** How this worker's claims treat jobs that need a GPU. */
    public GpuRouting routing() {
        return new GpuRouting(cpuTakesGpuJobs, lostAfter());
    }

    /** A worker whose last heartbeat is older than this is shown as lost. */
    public Duration lostAfter() {
        return heartbeat.multipliedBy(3).compareTo(lease) > 0 ? heartbeat.multipliedBy(3) : lease;
    }
}

package tenshot.worker;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a worker paces itself.
 *
 * @param lease how long a claim holds without a heartbeat; a dead worker's job returns after this
 * @param heartbeat how often the lease is renewed and the worker row touched (well below {@code lease})
 * @param poll how long an idle worker waits before looking for work again (new jobs also wake it)
 * @param progressInterval least time between two stored progress reports of one job
 * @param previewInterval least time between two stored preview images of one job
 * @param shutdownGrace how long a stopping worker waits for its job to reach a step before releasing it
 */
public record WorkerSettings(
        Duration lease, Duration heartbeat, Duration poll, Duration progressInterval, Duration previewInterval,
        Path scratchRoot, int modelCacheSize, Duration shutdownGrace) {

    public WorkerSettings {
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("tenshot.worker.heartbeat (" + heartbeat
                    + ") must be shorter than tenshot.worker.lease (" + lease + ")");
        }
    }

    /** A worker whose last heartbeat is older than this is shown as lost. */
    public Duration lostAfter() {
        return heartbeat.multipliedBy(3).compareTo(lease) > 0 ? heartbeat.multipliedBy(3) : lease;
    }
}

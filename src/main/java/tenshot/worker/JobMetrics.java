package tenshot.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import tenshot.queue.TakenBack;

/**
 * What this process's workers and lease reaper report to Micrometer ({@code /q/metrics}): attempt
 * durations and counts by kind and outcome, jobs taken back by the reaper, and each GPU worker's memory.
 */
@ApplicationScoped
public class JobMetrics {

    /** How an attempt ended, as the metrics tag it. */
    public enum Outcome {
        SUCCEEDED, FAILED, STOPPED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;

    @Inject
    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One attempt ended on a worker of this process after {@code took}. */
    public void attemptEnded(String kind, Outcome outcome, Duration took) {
        Timer.builder("tenshot.job.duration").description("Time of job attempts on this process's workers")
                .tag("kind", kind).tag("outcome", outcome.tag()).publishPercentileHistogram()
                .register(registry).record(took);
        Counter.builder("tenshot.job.attempts").description("Job attempts run by this process's workers")
                .tag("kind", kind).tag("outcome", outcome.tag()).register(registry).increment();
    }

    /** The lease reaper took a job back from its worker (lease expired, or progress stalled). */
    public void takenBack(TakenBack job) {
        Counter.builder("tenshot.queue.taken.back").description("Running jobs taken back from their worker")
                .tag("kind", job.kind()).tag("why", job.why().name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
    }

    /** Gauges of a GPU worker's device memory, as read at its last heartbeat. */
    void watch(Worker worker) {
        if (!worker.device().isGpu()) return;
        Gauge.builder("tenshot.worker.gpu.memory.free", worker,
                        w -> w.lastMemory().map(m -> (double) m.free()).orElse(Double.NaN))
                .description("Free device memory of a GPU worker at its last heartbeat").baseUnit("bytes")
                .tag("worker", worker.id()).tag("device", worker.deviceName()).register(registry);
        Gauge.builder("tenshot.worker.gpu.memory.total", worker,
                        w -> w.lastMemory().map(m -> (double) m.total()).orElse(Double.NaN))
                .description("Device memory of a GPU worker").baseUnit("bytes")
                .tag("worker", worker.id()).tag("device", worker.deviceName()).register(registry);
    }
}

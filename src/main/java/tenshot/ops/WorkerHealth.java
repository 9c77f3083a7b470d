package tenshot.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import tenshot.worker.Worker;
import tenshot.worker.Workers;

/**
 * Liveness of this process's workers and their devices: down when a worker's engine thread died while
 * the worker was not stopping, or when a GPU worker could not read its device's memory at its last
 * heartbeat (the driver lost the card). A process without workers (role {@code api}) is up.
 */
@Liveness
@ApplicationScoped
public class WorkerHealth implements HealthCheck {

    private final Workers workers;

    @Inject
    public WorkerHealth(Workers workers) {
        this.workers = workers;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("workers").withData("workers", workers.local().size());
        boolean up = true;
        for (Worker w : workers.local()) {
            if (w.stopping() || w.halted()) {
                response.withData(w.id(), "stopping");
                continue;
            }
            String problem = null;
            if (w.lastHeartbeat().isPresent() && !w.engineAlive()) problem = "engine thread ended";
            else if (w.device().isGpu() && w.lastHeartbeat().isPresent() && w.lastMemory().isEmpty()) {
                problem = "device " + w.device() + " did not report its memory";
            }
            up &= problem == null;
            response.withData(w.id(), describe(w) + (problem == null ? "" : ": " + problem));
        }
        return response.status(up).build();
    }

    private static String describe(Worker w) {
        StringBuilder s = new StringBuilder(w.device().toString());
        w.currentJob().ifPresent(job -> s.append(", job ").append(job));
        w.lastMemory().ifPresent(m -> s.append(", ").append(m.free() >> 20).append(" of ").append(m.total() >> 20)
                .append(" MiB free"));
        w.lastHeartbeat().ifPresent(t -> s.append(", heartbeat ")
                .append(Duration.between(t, Instant.now()).toSeconds()).append(" s ago"));
        return s.toString();
    }
}

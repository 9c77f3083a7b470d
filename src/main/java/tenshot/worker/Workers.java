package tenshot.worker;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import tenshot.queue.JobEvent;
import tenshot.queue.JobLeases;
import tenshot.queue.JobState;
import tenshot.queue.TakenBack;
import tenshot.queue.QueueNotifications;

/**
 * The workers of this process and the housekeeping every process does. With {@code tenshot.role}
 * {@code all} or {@code worker} it starts one worker per device listed in {@code tenshot.worker.device}
 * ({@code cpu}, {@code cuda:0}, or {@code cuda:0,cuda:1} for one worker per GPU); in every role
 * it takes back jobs whose lease expired. Queue notifications wake idle workers and deliver
 * cancellations to running ones.
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);

    private final Role role;
    private final String device;
    private final Optional<String> configuredId;
    private final WorkerSettings settings;
    private final Duration reapInterval;
    private final Instance<JobHandler> handlerBeans;
    private final JobLeases leases;
    private final WorkerRegistry registry;
    private final QueueNotifications notifications;
    private final JobMetrics metrics;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final String host = hostName();
    private ScheduledExecutorService reaper;
    private Cancellable subscription;

    @Inject
    public Workers(@ConfigProperty(name = "tenshot.role", defaultValue = "all") String role,
                   @ConfigProperty(name = "tenshot.worker.device", defaultValue = "cpu") String device,
                   @ConfigProperty(name = "tenshot.worker.id") Optional<String> configuredId,
                   @ConfigProperty(name = "tenshot.worker.lease", defaultValue = "60s") Duration lease,
                   @ConfigProperty(name = "tenshot.worker.heartbeat", defaultValue = "10s") Duration heartbeat,
                   @ConfigProperty(name = "tenshot.worker.poll", defaultValue = "2s") Duration poll,
                   @ConfigProperty(name = "tenshot.worker.progress-interval", defaultValue = "1s") Duration progressInterval,
                   @ConfigProperty(name = "tenshot.worker.preview-interval", defaultValue = "5s") Duration previewInterval,
                   @ConfigProperty(name = "tenshot.worker.scratch-dir") Optional<String> scratchDir,
                   @ConfigProperty(name = "tenshot.worker.model-cache-size", defaultValue = "2") int modelCacheSize,
                   @ConfigProperty(name = "tenshot.worker.shutdown-grace", defaultValue = "30s") Duration shutdownGrace,
                   @ConfigProperty(name = "tenshot.worker.cpu-takes-gpu-jobs", defaultValue = "false") boolean cpuTakesGpuJobs,
                   @ConfigProperty(name = "tenshot.worker.engine-niceness", defaultValue = "10") int engineNiceness,
                   @ConfigProperty(name = "tenshot.queue.reap-interval", defaultValue = "5s") Duration reapInterval,
                   @Any Instance<JobHandler> handlerBeans, JobLeases leases, WorkerRegistry registry,
                   QueueNotifications notifications, JobMetrics metrics) {
        this.role = Role.parse(role);
        this.device = device;
        this.configuredId = configuredId;
        Path scratch = scratchDir.map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "tenshot-scratch"));
        this.settings = new WorkerSettings(lease, heartbeat, poll, progressInterval, previewInterval, scratch,
                modelCacheSize, shutdownGrace, cpuTakesGpuJobs, engineNiceness);
        this.reapInterval = reapInterval;
        this.handlerBeans = handlerBeans;
        this.leases = leases;
        this.registry = registry;
        this.notifications = notifications;
        this.metrics = metrics;
    }

    public Role role() {
        return role;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /** The handler of every job kind, from the {@link JobHandler} beans; two beans for one kind is an error. */
    public Map<String, JobHandler> handlers() {
        Map<String, JobHandler> byKind = new TreeMap<>();
        for (JobHandler handler : handlerBeans) {
            JobHandler other = byKind.put(handler.kind(), handler);
            if (other != null) {
                throw new IllegalStateException("job kind " + handler.kind() + " has two handlers: "
                        + other.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
        return byKind;
    }

    /** A new worker of this process (not started yet); it gets wake-ups and cancellations from now on. */
    public Worker create(String id, String deviceSpec) {
        Worker worker = new Worker(id, host, deviceSpec, handlers(), leases, registry, settings, metrics);
        workers.add(worker);
        metrics.watch(worker);
        return worker;
    }

    public List<Worker> local() {
        return List.copyOf(workers);
    }

    void start(@Observes StartupEvent event) {
        subscription = notifications.events().subscribe().with(this::onEvent, e -> LOG.warn("queue events ended", e));
        reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenshot-lease-reaper");
            t.setDaemon(true);
            return t;
        });
        long every = reapInterval.toMillis();
        reaper.scheduleWithFixedDelay(this::reap, every, every, TimeUnit.MILLISECONDS);
        if (role.runsWorker()) {
            List<String> devices = java.util.Arrays.stream(device.split(",")).map(String::trim)
                    .filter(d -> !d.isEmpty()).toList();
            if (devices.isEmpty()) throw new IllegalArgumentException("tenshot.worker.device is empty: use cpu, cuda or cuda:N");
            String suffix = UUID.randomUUID().toString().substring(0, 6);
            for (String d : devices) {
                String base = configuredId.orElse(host + "-" + suffix);
                String id = devices.size() == 1 && configuredId.isPresent() ? base : base + "-" + d.replace(":", "");
                create(id, d).start();
            }
        }
    }

    private void onEvent(JobEvent event) {
        for (Worker worker : workers) {
            if (event.state() == JobState.QUEUED) worker.wake();
            if (event.cancelRequested()) worker.cancelRequested(event.jobId(), null);
        }
    }

    private void reap() {
        try {
            List<TakenBack> taken = leases.reapExpired().await().atMost(Duration.ofSeconds(30));
            taken.forEach(metrics::takenBack);
            if (!taken.isEmpty()) {
                LOG.infof("took back jobs whose lease expired or whose progress stalled: %s", taken);
                workers.forEach(Worker::wake);
            }
        } catch (RuntimeException e) {
            LOG.warnf("lease reaper failed: %s", e.toString());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (reaper != null) reaper.shutdownNow();
        if (subscription != null) subscription.cancel();
        List<Thread> stoppers = workers.stream().map(w -> new Thread(w::stop, "tenshot-stop-" + w.id())).toList();
        stoppers.forEach(Thread::start);
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
    }
}

package tenshot.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import tenshot.diffusion.DeviceMemory;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.EngineRuntime;
import tenshot.diffusion.StepListener;
import tenshot.queue.Claim;
import tenshot.queue.FailureKind;
import tenshot.queue.Job;
import tenshot.queue.JobLeases;

/**
 * One worker: owns one device, runs one job at a time on its own platform thread (the engine
 * thread), and keeps its lease alive from a separate heartbeat thread. Many workers, in one
 * process or many, share the queue through the database.
 */
public final class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);
    static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private final String id;
    private final String host;
    private final String deviceSpec;
    private final EngineDevice device;
    private final Map<String, JobHandler> handlers;
    private final JobLeases leases;
    private final WorkerRegistry registry;
    private final WorkerSettings settings;
    private final ModelCache models;
    private final JobMetrics metrics;
    private final Thread engine;
    private final ScheduledExecutorService heartbeats;
    private final Object wakeLock = new Object();
    private boolean wakeRequested;
    private volatile boolean stopping;
    private volatile boolean halted;
    private volatile RunningJob current;
    private volatile java.time.Instant lastHeartbeat;
    private volatile Optional<WorkerRegistry.Memory> lastMemory = Optional.empty();

    Worker(String id, String host, String deviceSpec, Map<String, JobHandler> handlers, JobLeases leases,
           WorkerRegistry registry, WorkerSettings settings, JobMetrics metrics) {
        this.id = id;
        this.host = host;
        this.deviceSpec = deviceSpec;
        this.device = EngineDevice.parse(deviceSpec);
        this.handlers = Map.copyOf(handlers);
        this.leases = leases;
        this.registry = registry;
        this.settings = settings;
        this.metrics = metrics;
        this.models = new ModelCache(settings.modelCacheSize());
        this.engine = new Thread(this::engineLoop, "tenshot-engine-" + id);
        this.engine.setDaemon(true);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenshot-heartbeat-" + id);
            t.setDaemon(true);
            return t;
        });
    }

    public String id() { return id; }
    public EngineDevice device() { return device; }
    /** The device as configured ({@code cpu}, {@code cuda:0}). */
    public String deviceName() { return deviceSpec; }
    public boolean stopping() { return stopping; }
    public boolean halted() { return halted; }
    JobLeases leases() { return leases; }
    ModelCache models() { return models; }

    /** Whether the engine thread runs (false before {@link #start()} and after it ended). */
    public boolean engineAlive() {
        return engine.isAlive();
    }

    /** When the worker last told the database it is alive; empty before its first heartbeat. */
    public Optional<java.time.Instant> lastHeartbeat() {
        return Optional.ofNullable(lastHeartbeat);
    }

    /** The device memory read at the last heartbeat (empty on the CPU, or when the GPU did not answer). */
    public Optional<WorkerRegistry.Memory> lastMemory() {
        return lastMemory;
    }

    /** The job this worker runs right now. */
    public OptionalLong currentJob() {
        RunningJob r = current;
        return r == null ? OptionalLong.empty() : OptionalLong.of(r.jobId());
    }

    /**
     * Registers the worker and starts its engine and heartbeat threads. A worker whose device the engine
     * cannot run (CUDA asked for, no CUDA libtorch) refuses to start, saying how to fix it.
     */
    public void start() {
        EngineRuntime.requireUsable(device);
        LOG.infof("worker %s engine: %s", id, EngineRuntime.describe(device));
        registry.register(id, host, deviceSpec, device.isGpu(), handlers.keySet()).await().atMost(DB_TIMEOUT);
        long beat = settings.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
        engine.start();
        LOG.infof("worker %s started on %s (%s) for %s", id, host, device, handlers.keySet());
    }

    /** Looks for work now instead of at the next poll (a job was queued). */
    public void wake() {
        synchronized (wakeLock) {
            wakeRequested = true;
            wakeLock.notifyAll();
        }
    }

    /** Someone asked to cancel {@code jobId}; if it runs here, it stops at its next step. */
    public void cancelRequested(long jobId, String reason) {
        RunningJob r = current;
        if (r != null && r.jobId() == jobId) r.cancel(reason == null ? "cancelled by user" : reason);
    }

    /**
     * Stops gracefully: claims nothing more, stops the running job at its next step and gives it
     * back to the queue (the attempt does not count). A job that reaches no step within the grace
     * time is given back anyway, and whatever its handler does later is discarded.
     */
    public void stop() {
        if (stopping) return;
        stopping = true;
        wake();
        try {
            engine.join(settings.shutdownGrace().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunningJob r = current;
        if (engine.isAlive() && r != null) {
            try {
                leases.release(r.jobId(), id, r.claim.attempt(),
                        "worker " + id + " stopped before the job reached a step").await().atMost(DB_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warnf("worker %s could not give back job %d: %s", id, r.jobId(), e.toString());
            }
            halted = true;
            engine.interrupt();
        }
        heartbeats.shutdownNow();
        try {
            registry.stopped(id).await().atMost(DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warnf("worker %s could not record that it stopped: %s", id, e.toString());
        }
        LOG.infof("worker %s stopped", id);
    }

    /**
     * Stops at once without telling the database anything, as a killed process would: the lease of
     * its job runs out and the job goes back to the queue. Results the handler produces afterwards
     * are discarded.
     */
    public void halt() {
        halted = true;
        heartbeats.shutdownNow();
        engine.interrupt();
        wake();
    }

    /** Waits for the engine thread to end (after {@link #stop()} or {@link #halt()}). */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        engine.join(timeout.toMillis());
        return !engine.isAlive();
    }

    private void beat() {
        if (halted) return;
        try {
            Optional<WorkerRegistry.Memory> memory = memory();
            lastMemory = memory;
            registry.heartbeat(id, memory).await().atMost(DB_TIMEOUT);
            lastHeartbeat = java.time.Instant.now();
            RunningJob r = current;
            if (r != null) r.apply(leases.renew(r.jobId(), id, settings.lease()).await().atMost(DB_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.warnf("worker %s heartbeat failed: %s", id, e.toString());
        }
    }

    /** The device's memory now (free and total bytes), or none on the CPU or when it cannot be read. */
    Optional<WorkerRegistry.Memory> memory() {
        if (!device.isGpu()) return Optional.empty();
        try {
            long total = DeviceMemory.total(device);
            return Optional.of(new WorkerRegistry.Memory(total - DeviceMemory.inUse(device), total));
        } catch (RuntimeException | LinkageError e) {
            LOG.debugf("worker %s cannot read its device memory: %s", id, e);
            return Optional.empty();
        }
    }

    private void engineLoop() {
        prepareEngineThread();
        while (!stopping && !halted) {
            Optional<Claim> claim;
            try {
                claim = leases.claim(id, handlers.keySet(), settings.lease(), settings.routing()).await().atMost(DB_TIMEOUT);
            } catch (RuntimeException e) {
                if (stopping || halted) break;
                LOG.warnf("worker %s could not claim a job: %s", id, e.toString());
                waitForWork();
                continue;
            }
            if (claim.isPresent()) run(claim.get());
            else waitForWork();
        }
        if (!halted) models.close();
    }

    /** Grad mode is thread-local and on by default; inference is the rule, training turns it on itself. */
    private void prepareEngineThread() {
        int niceness = settings.engineNiceness();
        if (niceness != 0 && !ThreadNiceness.set(niceness)) {
            LOG.warnf("worker %s: could not lower the engine thread's CPU priority to nice %d", id, niceness);
        }
        try {
            ai.djl.engine.Engine.getEngine("PyTorch");
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        } catch (Throwable e) {
            LOG.errorf("worker %s: the PyTorch engine is not available (%s); jobs that need it will fail", id, e);
        }
    }

    private void waitForWork() {
        synchronized (wakeLock) {
            if (!wakeRequested && !stopping && !halted) {
                try {
                    wakeLock.wait(settings.poll().toMillis());
                } catch (InterruptedException e) {
                    if (!halted && !stopping) Thread.currentThread().interrupt();
                }
            }
            wakeRequested = false;
        }
        Thread.interrupted();
    }

    private void run(Claim claim) {
        Job job = claim.job();
        RunningJob running = new RunningJob(claim);
        current = running;
        Path scratch = settings.scratchRoot().resolve("job-" + job.id());
        boolean finished = false;
        JobMetrics.Outcome outcome = JobMetrics.Outcome.STOPPED;
        long started = System.nanoTime();
        LOG.infof("worker %s runs job %d (%s), attempt %d", id, job.id(), job.kind(), claim.attempt());
        try {
            JobHandler handler = handlers.get(job.kind());
            if (handler == null) throw new PermanentJobFailure("no handler for job kind " + job.kind() + " on worker " + id);
            Files.createDirectories(scratch);
            Object result = handler.run(new WorkerJobContext(this, running, scratch, settings));
            if (halted) return;
            finished = leases.succeed(job.id(), id, claim.attempt(), result == null ? null : JSON.writeValueAsString(result))
                    .await().atMost(DB_TIMEOUT);
            if (finished) outcome = JobMetrics.Outcome.SUCCEEDED;
            else LOG.warnf("worker %s finished job %d after losing its lease; result dropped", id, job.id());
        } catch (StepListener.Cancelled e) {
            if (halted) return;
            finished = stopped(running, e);
        } catch (Throwable e) {
            if (halted) return;
            if (running.cancelled() || stopping || running.leaseLost()) {
                finished = stopped(running, new StepListener.Cancelled(e.toString()));
            } else {
                boolean permanent = e instanceof PermanentJobFailure;
                boolean last = permanent || job.attempts() >= job.maxAttempts();
                LOG.warnf("worker %s: job %d (%s) attempt %d failed: %s", id, job.id(), job.kind(), claim.attempt(), e);
                outcome = JobMetrics.Outcome.FAILED;
                try {
                    leases.fail(job.id(), id, claim.attempt(), reason(e), stackTrace(e),
                            permanent ? FailureKind.INPUT : FailureKind.INTERNAL).await().atMost(DB_TIMEOUT);
                    finished = last;
                } catch (RuntimeException dbError) {
                    LOG.errorf("worker %s could not record the failure of job %d: %s", id, job.id(), dbError);
                }
            }
        } finally {
            current = null;
            Thread.interrupted();
            if (!halted) metrics.attemptEnded(job.kind(), outcome, Duration.ofNanos(System.nanoTime() - started));
            if (finished) deleteQuietly(scratch);
        }
    }

    /** The handler stopped at a step: cancelled, lease lost, or this worker is stopping. Returns whether the job ended. */
    private boolean stopped(RunningJob running, StepListener.Cancelled e) {
        long jobId = running.jobId();
        int attempt = running.claim.attempt();
        try {
            if (running.leaseLost()) {
                LOG.warnf("worker %s stopped job %d: its lease was lost", id, jobId);
                return false;
            }
            if (running.cancelled()) {
                leases.cancelled(jobId, id, attempt, running.cancelReason()).await().atMost(DB_TIMEOUT);
                return true;
            }
            if (stopping) {
                leases.release(jobId, id, attempt, "worker " + id + " stopped").await().atMost(DB_TIMEOUT);
                return false;
            }
            // the handler or engine cancelled on its own
            leases.cancelled(jobId, id, attempt, e.getMessage()).await().atMost(DB_TIMEOUT);
            return true;
        } catch (RuntimeException dbError) {
            LOG.errorf("worker %s could not record how job %d stopped: %s", id, jobId, dbError);
            return false;
        }
    }

    static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 2000; t = t.getCause()) {
            if (sb.length() > 0) sb.append(" <- ");
            String message = t.getMessage();
            sb.append(t instanceof PermanentJobFailure ? "" : t.getClass().getSimpleName() + ": ")
                    .append(message == null ? "(no message)" : message);
            if (t.getCause() == t) break;
        }
        return sb.length() > 2000 ? sb.substring(0, 2000) : sb.toString();
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        String s = out.toString();
        return s.length() > 16000 ? s.substring(0, 16000) : s;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("could not delete scratch directory %s: %s", dir, e.toString());
        }
    }
}

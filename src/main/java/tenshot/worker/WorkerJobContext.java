package tenshot.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Optional;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.queue.Job;

/** The {@link JobContext} of one attempt on one worker. */
final class WorkerJobContext implements JobContext {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Worker worker;
    private final RunningJob running;
    private final Path scratch;
    private final ProgressReporter progress;
    private String checkpoint;

    WorkerJobContext(Worker worker, RunningJob running, Path scratch, WorkerSettings settings) {
        this.worker = worker;
        this.running = running;
        this.scratch = scratch;
        this.progress = new ProgressReporter(worker, running, settings);
        this.checkpoint = running.claim.job().checkpoint();
    }

    private Job job() {
        return running.claim.job();
    }

    @Override public long jobId() { return job().id(); }
    @Override public String kind() { return job().kind(); }
    @Override public Long runId() { return job().runId(); }
    @Override public String team() { return job().team(); }
    @Override public int attempt() { return running.claim.attempt(); }
    @Override public JsonNode payload() { return job().payload(); }
    @Override public EngineDevice device() { return worker.device(); }
    @Override public String workerId() { return worker.id(); }
    @Override public JobProgress progress() { return progress; }
    @Override public Path scratchDir() { return scratch; }
    @Override public ModelCache models() { return worker.models(); }

    @Override
    public <T> T payload(Class<T> type) {
        try {
            return JSON.treeToValue(job().payload(), type);
        } catch (Exception e) {
            throw new PermanentJobFailure("payload of job " + jobId() + " (" + kind() + ") does not fit "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkCancelled() {
        running.checkStop(worker);
    }

    @Override
    public Optional<String> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    @Override
    public void saveCheckpoint(String reference) {
        running.checkStop(worker);
        boolean held = worker.leases().checkpoint(jobId(), worker.id(), reference).await().atMost(Worker.DB_TIMEOUT);
        if (!held) {
            running.loseLease();
            running.checkStop(worker);
        }
        checkpoint = reference;
    }
}

package tenshot.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;

/** What a {@link JobHandler} gets for one attempt at one job. Used on the engine thread only. */
public interface JobContext {

    long jobId();

    String kind();

    /** The run the job belongs to, or null. */
    Long runId();

    String team();

    /** 1 for the first attempt, counting every earlier attempt of this job (failed, expired, released). */
    int attempt();

    JsonNode payload();

    /** The payload read as {@code type}; a payload that does not fit fails the job permanently. */
    <T> T payload(Class<T> type);

    /** The worker's device (cpu fp32 or cuda fp16). */
    EngineDevice device();

    String workerId();

    /**
     * Persists progress (throttled; the first and last step of a phase always), stores the preview
     * image, announces both to the studio, and throws {@link StepListener.Cancelled} at the next
     * step once the job is cancelled, the worker stops, or the lease is lost. Work of several parts
     * (a board's styles) reports each part too ({@link JobProgress#onStep(tenshot.diffusion.StepReport, java.util.List)}).
     */
    JobProgress progress();

    /** Throws {@link StepListener.Cancelled} when the job should stop (for long work between steps). */
    void checkCancelled();

    /** Where an earlier attempt said it can resume from, if it said so. */
    Optional<String> checkpoint();

    /** Records where a later attempt can resume from (stored at once; overwrites the previous one). */
    void saveCheckpoint(String reference);

    /**
     * A directory for this job's files on this host, kept across attempts on the same host and
     * deleted when the job finishes. Checkpoints that must survive a host should go to the artifact store.
     */
    Path scratchDir();

    /** Models kept loaded between jobs on this worker. */
    ModelCache models();
}

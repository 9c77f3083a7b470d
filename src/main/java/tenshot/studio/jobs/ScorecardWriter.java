package tenshot.studio.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.ModelDirectory;
import tenshot.worker.ModelCache;
import tenshot.scoring.ScoreFingerprint;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.Scorer;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoringModels;
import tenshot.scoring.ScoredStyle;
import tenshot.store.ArtifactStore;

/**
 * Scores styles with every metric whose model is installed under {@code tenshot.scoring.models-dir}
 * and stores the scorecard, its FID features and its inputs' fingerprint. When the stored fingerprint
 * equals the inputs' (same mode, same available metrics, same files byte for byte), nothing is
 * recomputed. Runs on a worker's engine thread.
 */
@ApplicationScoped
public class ScorecardWriter {

    public static final String NO_MODELS = "model not installed: no metric models directory (set tenshot.scoring.models-dir)";

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "tenshot.scoring.models-dir")
    Optional<Path> metricsDir;

    /** Images at a time through each metric network; larger batches use the GPU better and need more memory. */
    @ConfigProperty(name = "tenshot.scoring.batch-size", defaultValue = "" + Scorer.DEFAULT_BATCH)
    int batchSize;

    /** What {@link #write} did: scored, or found the stored card current. */
    public record Outcome(boolean recomputed, String fingerprint) {}

    /**
     * Scores {@code styles} unless the stored scorecard is current. The metric networks come from the
     * worker's model cache, so consecutive SCORE and EVALUATE jobs on one worker load them once (again
     * only when the models directory changes).
     */
    public Outcome write(ScoreArtifacts where, List<ScoredStyle> styles, ScoringMode mode, EngineDevice device, ModelCache cache)
            throws Exception {
        ScoringModels models = metricsDir.isEmpty() ? ScoringModels.none(NO_MODELS)
                : cache.get("metrics:" + metricsDir.get() + ":" + device + ":" + ModelDirectory.signature(metricsDir.get()),
                        ScoringModels.class, () -> ModelDirectory.load(metricsDir.get(), device));
        String fingerprint = ScoreFingerprint.of(styles, mode, models);
        if (fingerprint.equals(stored(where.fingerprintKey())) && store.exists(where.scorecardKey())) {
            return new Outcome(false, fingerprint);
        }
        Scorer.Scored scored = new Scorer(models, mode, batchSize).evaluate(styles);
        // The fingerprint goes last: a crash in between leaves no fingerprint, so the next attempt scores again.
        store.delete(where.fingerprintKey());
        if (scored.fid() != null) {
            store.put(where.fidFeaturesKey(), scored.fid().toJson().getBytes(StandardCharsets.UTF_8));
        } else {
            store.delete(where.fidFeaturesKey());
        }
        store.put(where.scorecardKey(), ScorecardExport.toJson(scored.card()).getBytes(StandardCharsets.UTF_8));
        store.put(where.fingerprintKey(), fingerprint.getBytes(StandardCharsets.UTF_8));
        return new Outcome(true, fingerprint);
    }

    /** Copies a stored artifact to a file on this host, for the scorer (replacing what an earlier attempt left). */
    public Path stage(String key, Path target) throws IOException {
        try (InputStream in = store.open(key)) {
            java.nio.file.Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Stages the style images as {@code <object>.png} in a new folder {@code dir}, the references of a scorecard. */
    public java.util.List<Path> stageReferences(java.util.List<RunSpec.StyleImageRef> images, Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        java.util.List<Path> files = new java.util.ArrayList<>();
        for (RunSpec.StyleImageRef image : images) files.add(stage(image.key(), dir.resolve(image.objectName() + ".png")));
        return files;
    }

    private String stored(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

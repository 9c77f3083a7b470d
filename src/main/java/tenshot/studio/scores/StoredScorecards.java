package tenshot.studio.scores;

import tenshot.studio.BlockingIo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import tenshot.scoring.Scorecard;
import tenshot.store.ArtifactStore;
import tenshot.scoring.fid.FidFeatures;
import tenshot.studio.jobs.ScoreArtifacts;

/** The scorecards that SCORE jobs stored, one per run, as JSON in the artifact store. */
@ApplicationScoped
public class StoredScorecards {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ArtifactStore store;

    public static String key(long runId) {
        return ScoreArtifacts.ofRun(runId).scorecardKey();
    }

    /** The stored JSON, or empty when the run has no scorecard (yet). */
    public Optional<JsonNode> json(long runId) {
        return read(key(runId), "scorecard of run " + runId);
    }

    /** The FID features stored beside the run's scorecard, or empty (FID not computed, or scored before they were kept). */
    public Optional<FidFeatures> fidFeatures(long runId) {
        return read(ScoreArtifacts.ofRun(runId).fidFeaturesKey(), "FID features of run " + runId).map(FidFeatures::fromJson);
    }

    Optional<JsonNode> read(String key, String what) {
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readTree(in));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(what + " (" + key + ") cannot be read", e);
        }
    }

    public Optional<Scorecard> card(long runId) {
        return json(runId).map(ScorecardJson::read);
    }

    /** What the run page shows: the card, or null when there is none. */
    public ScorecardView view(long runId) {
        BlockingIo.requireOffEventLoop("reading a stored scorecard");
        return card(runId).map(ScorecardView::of).orElse(null);
    }
}

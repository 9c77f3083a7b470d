package tenshot.studio.jobs;

/**
 * Where a scorecard is stored with what it was computed from: the card ({@code scorecard.json}), the
 * FID feature vectors behind its FID ({@code fid-features.json}, absent when FID was not computed) and
 * the fingerprint of its inputs ({@code scorecard.fingerprint}). A run's live under {@code runs/{id}/},
 * an uploaded evaluation's under {@code evaluations/{id}/}.
 */
public record ScoreArtifacts(String prefix) {

    public static final String FID_FEATURES = "fid-features.json";
    public static final String FINGERPRINT = "scorecard.fingerprint";

    public ScoreArtifacts {
        if (!prefix.endsWith("/")) throw new IllegalArgumentException("artifact prefix must end with '/': " + prefix);
    }

    public static ScoreArtifacts ofRun(long runId) {
        return new ScoreArtifacts(RunSpec.prefix(runId));
    }

    public static ScoreArtifacts ofEvaluation(long evaluationId) {
        return new ScoreArtifacts("evaluations/" + evaluationId + "/");
    }

    public String scorecardKey() {
        return prefix + RunSpec.SCORECARD;
    }

    public String fidFeaturesKey() {
        return prefix + FID_FEATURES;
    }

    public String fingerprintKey() {
        return prefix + FINGERPRINT;
    }
}

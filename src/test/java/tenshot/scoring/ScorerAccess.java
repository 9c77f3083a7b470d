package tenshot.scoring;

/** Test access to the scorer's package-private helpers. */
public final class ScorerAccess {

    private ScorerAccess() {}

    public static double cosine(float[] a, float[] b) {
        return Scorer.cosine(a, b);
    }
}

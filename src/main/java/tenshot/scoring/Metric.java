package tenshot.scoring;

/**
 * The six official metrics and how each enters the final score
 * {@code (0.2·DINO + 0.4·hist + 0.4·(1−LPIPS)) × (0.5·CLIP-R + 0.4·(20−min(FID,20))/20 + 0.1·CLIP-IQA)}.
 */
public enum Metric {
    DINO("dino", "DINO", 0.2, "0.2·DINO in the style factor", true),
    HIST("hist", "hist", 0.4, "0.4·hist in the style factor", true),
    LPIPS("lpips", "LPIPS", 0.4, "0.4·(1−LPIPS) in the style factor", false),
    CLIP_R("clip_r", "CLIP-R", 0.5, "0.5·CLIP-R in the content factor", true),
    FID("fid", "FID", 0.4, "0.4·(20−min(FID,20))/20 in the content factor", false),
    CLIP_IQA("clip_iqa", "CLIP-IQA", 0.1, "0.1·CLIP-IQA in the content factor", true);

    private final String key;
    private final String label;
    private final double weight;
    private final String role;
    private final boolean higherIsBetter;

    Metric(String key, String label, double weight, String role, boolean higherIsBetter) {
        this.key = key;
        this.label = label;
        this.weight = weight;
        this.role = role;
        this.higherIsBetter = higherIsBetter;
    }

    /** Stable identifier used in JSON, CSV and configuration. */
    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    /** Its weight inside its factor of the final score. */
    public double weight() {
        return weight;
    }

    /** How the value enters the final score, in words. */
    public String role() {
        return role;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The value's contribution inside its factor, e.g. {@code 0.4·(1−LPIPS)}. */
    public double term(double value) {
        return switch (this) {
            case LPIPS -> weight * (1 - value);
            case FID -> weight * (20 - Math.min(value, 20)) / 20;
            default -> weight * value;
        };
    }

    public boolean inStyleFactor() {
        return this == DINO || this == HIST || this == LPIPS;
    }

    public static Metric fromKey(String key) {
        for (Metric m : values()) if (m.key.equals(key)) return m;
        throw new IllegalArgumentException("unknown metric '" + key + "'");
    }
}

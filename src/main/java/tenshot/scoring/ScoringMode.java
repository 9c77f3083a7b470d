package tenshot.scoring;

/** Whether the official kit's quirks are reproduced or corrected. Every scorecard carries its mode. */
public enum ScoringMode {
    /** Exactly what the 2024 evaluation kit computes, quirks included: the numbers of the leaderboard. */
    OFFICIAL("official", "official (the 2024 kit's numbers, quirks reproduced)"),
    /**
     * The kit's evident intent: RGB histogram with 4096 real bins, hue without 8-bit wrap and all 72 HSV
     * bins; CLIP-IQA on pixels in [0, 1]; FID with the antialiased 299 px resize.
     */
    CORRECTED("corrected", "corrected (quirks fixed: hist bins, CLIP-IQA pixel range, antialiased FID resize)");

    private final String key;
    private final String label;

    ScoringMode(String key, String label) {
        this.key = key;
        this.label = label;
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    /** The mode with this key ("official", "corrected"); null or blank means official. */
    public static ScoringMode of(String key) {
        return key == null || key.isBlank() ? OFFICIAL : fromKey(key.strip());
    }

    public boolean official() {
        return this == OFFICIAL;
    }

    public static ScoringMode fromKey(String key) {
        for (ScoringMode m : values()) if (m.key.equalsIgnoreCase(key)) return m;
        throw new IllegalArgumentException("unknown scoring mode '" + key + "': use official or corrected");
    }
}

package tenshot.scoring;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The scores of a run (one style) or of a submission (several styles), with the final score. Metrics
 * that could not be computed are listed in {@code metrics} with the reason; the final score is absent
 * (null) unless all six were computed, and {@code finalNote} says why.
 *
 * @param values overall values: DINO, hist, LPIPS = mean over styles; FID pooled over all images;
 *     CLIP-R pooled over all images; CLIP-IQA mean over all generated images
 */
public record Scorecard(ScoringMode mode, List<MetricStatus> metrics, Map<Metric, Double> values,
        Double styleFactor, Double contentFactor, Double finalScore, String finalNote, List<StyleScore> styles) {

    public Scorecard {
        metrics = List.copyOf(metrics);
        values = Map.copyOf(values);
        styles = List.copyOf(styles);
    }

    public boolean computed(Metric metric) {
        return values.containsKey(metric);
    }

    public MetricStatus status(Metric metric) {
        return metrics.stream().filter(s -> s.metric() == metric).findFirst()
                .orElse(MetricStatus.disabled(metric, "not evaluated"));
    }

    /** Builds the final score from the overall values; null factors when a metric is missing. */
    static Scorecard assemble(ScoringMode mode, List<MetricStatus> statuses, Map<Metric, Double> values,
            List<StyleScore> styles) {
        Double style = factor(values, true);
        Double content = factor(values, false);
        Double fin = style != null && content != null ? style * content : null;
        String note;
        if (fin != null) {
            note = "final = (0.2·DINO + 0.4·hist + 0.4·(1−LPIPS)) × (0.5·CLIP-R + 0.4·(20−min(FID,20))/20 + 0.1·CLIP-IQA)";
        } else {
            StringBuilder missing = new StringBuilder();
            for (Metric m : Metric.values()) {
                if (!values.containsKey(m)) missing.append(missing.length() == 0 ? "" : ", ").append(m.label());
            }
            note = "no final score: " + missing + " not computed";
        }
        return new Scorecard(mode, statuses, values, style, content, fin, note, styles);
    }

    private static Double factor(Map<Metric, Double> values, boolean styleFactor) {
        double sum = 0;
        for (Metric m : Metric.values()) {
            if (m.inStyleFactor() != styleFactor) continue;
            Double v = values.get(m);
            if (v == null) return null;
            sum += m.term(v);
        }
        return sum;
    }

    /** The weighted terms of the computed metrics, in metric order. */
    public Map<Metric, Double> terms() {
        Map<Metric, Double> out = new EnumMap<>(Metric.class);
        values.forEach((m, v) -> out.put(m, m.term(v)));
        return out;
    }
}

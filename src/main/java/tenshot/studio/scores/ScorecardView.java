package tenshot.studio.scores;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tenshot.scoring.Metric;
import tenshot.scoring.MetricStatus;
import tenshot.scoring.Scorecard;

/** A scorecard as the run page shows it: every metric with its weight and role, or why it is missing. */
public record ScorecardView(String mode, String modeLabel, String finalScore, String finalNote, String styleFactor,
        String contentFactor, List<Row> metrics) {

    /** One metric: value and its term in the final score, or the reason it was not computed. */
    public record Row(String key, String label, double weight, String role, boolean computed, String value, String term,
            String reason) {}

    public static ScorecardView of(Scorecard card) {
        List<Row> rows = new ArrayList<>();
        for (Metric m : Metric.values()) {
            MetricStatus status = card.status(m);
            Double v = card.values().get(m);
            rows.add(new Row(m.key(), m.label(), m.weight(), m.role(), v != null, format(v),
                    v == null ? "" : format(m.term(v)), v == null ? status.reason() : null));
        }
        return new ScorecardView(card.mode().key(), card.mode().label(), format(card.finalScore()), card.finalNote(),
                format(card.styleFactor()), format(card.contentFactor()), rows);
    }

    static String format(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}

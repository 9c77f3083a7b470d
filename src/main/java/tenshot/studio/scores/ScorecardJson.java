package tenshot.studio.scores;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tenshot.scoring.ImageScore;
import tenshot.scoring.Metric;
import tenshot.scoring.MetricStatus;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScorecardExport;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.StyleScore;

/**
 * Reads a scorecard back from the JSON that {@link ScorecardExport#toJson} wrote (the form the SCORE job
 * stores), so that it can be exported again (CSV) or combined. A field that is not there is an error
 * naming it.
 */
public final class ScorecardJson {

    private ScorecardJson() {}

    public static Scorecard read(JsonNode root) {
        ScoringMode mode = mode(text(root, "mode"));
        List<MetricStatus> statuses = new ArrayList<>();
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        for (JsonNode m : array(root, "metrics")) {
            Metric metric = Metric.fromKey(text(m, "metric"));
            boolean computed = m.path("computed").asBoolean(false);
            statuses.add(computed ? MetricStatus.computed(metric)
                    : MetricStatus.disabled(metric, m.path("reason").asText("not computed")));
            Double v = number(m.get("value"));
            if (computed && v != null) values.put(metric, v);
        }
        List<StyleScore> styles = new ArrayList<>();
        for (JsonNode s : root.path("styles")) {
            List<ImageScore> images = new ArrayList<>();
            for (JsonNode i : s.path("images")) {
                Map<String, Double> details = new HashMap<>();
                i.path("details").fields().forEachRemaining(e -> {
                    Double d = number(e.getValue());
                    if (d != null) details.put(e.getKey(), d);
                });
                List<String> top5 = new ArrayList<>();
                i.path("clip_top5").forEach(t -> top5.add(t.asText()));
                images.add(new ImageScore(text(i, "image"), text(i, "prompt"), metricValues(i.path("values")), details, top5));
            }
            styles.add(new StyleScore(text(s, "style"), s.path("references").asInt(), s.path("generated").asInt(),
                    metricValues(s.path("values")), images));
        }
        return new Scorecard(mode, statuses, values, number(root.get("style_factor")), number(root.get("content_factor")),
                number(root.get("final")), root.path("final_note").asText(null), styles);
    }

    static ScoringMode mode(String key) {
        for (ScoringMode m : ScoringMode.values()) if (m.key().equals(key)) return m;
        throw new IllegalArgumentException("scorecard: unknown mode '" + key + "'");
    }

    private static Map<Metric, Double> metricValues(JsonNode node) {
        Map<Metric, Double> out = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            Double v = number(node.get(m.key()));
            if (v != null) out.put(m, v);
        }
        return out;
    }

    private static Double number(JsonNode node) {
        return node == null || !node.isNumber() ? null : node.asDouble();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("scorecard: field '" + field + "' is missing");
        return v.asText();
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) throw new IllegalArgumentException("scorecard: field '" + field + "' is not a list");
        return v;
    }
}

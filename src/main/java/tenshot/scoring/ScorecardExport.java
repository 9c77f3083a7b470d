package tenshot.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scorecards as JSON (the whole card, for storage and download) and CSV (one row per generated image,
 * then one per style, then the overall row). Missing values are JSON null / empty CSV cells; the reasons
 * for missing metrics are in the JSON.
 */
public final class ScorecardExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScorecardExport() {}

    public static String toJson(Scorecard card) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(card));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode toTree(Scorecard card) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", card.mode().key());
        root.put("mode_label", card.mode().label());
        root.put("formula", "final = (0.2·DINO + 0.4·hist + 0.4·(1−LPIPS)) × (0.5·CLIP-R + 0.4·(20−min(FID,20))/20 + 0.1·CLIP-IQA)");
        putNumber(root, "final", card.finalScore());
        root.put("final_note", card.finalNote());
        putNumber(root, "style_factor", card.styleFactor());
        putNumber(root, "content_factor", card.contentFactor());
        ArrayNode metrics = root.putArray("metrics");
        for (MetricStatus s : card.metrics()) {
            ObjectNode m = metrics.addObject();
            Metric metric = s.metric();
            m.put("metric", metric.key());
            m.put("label", metric.label());
            m.put("weight", metric.weight());
            m.put("role", metric.role());
            m.put("higher_is_better", metric.higherIsBetter());
            m.put("computed", s.computed());
            Double v = card.values().get(metric);
            putNumber(m, "value", v);
            putNumber(m, "term", v == null ? null : metric.term(v));
            if (!s.computed()) m.put("reason", s.reason());
        }
        ArrayNode styles = root.putArray("styles");
        for (StyleScore st : card.styles()) {
            ObjectNode s = styles.addObject();
            s.put("style", st.style());
            s.put("references", st.references());
            s.put("generated", st.generated());
            putValues(s.putObject("values"), st.values());
            ArrayNode images = s.putArray("images");
            for (ImageScore im : st.images()) {
                ObjectNode i = images.addObject();
                i.put("image", im.image());
                i.put("prompt", im.prompt());
                putValues(i.putObject("values"), im.values());
                ObjectNode d = i.putObject("details");
                new TreeMap<>(im.details()).forEach((k, v) -> putNumber(d, k, v));
                if (!im.clipTop5().isEmpty()) {
                    ArrayNode t = i.putArray("clip_top5");
                    im.clipTop5().forEach(t::add);
                }
            }
        }
        return root;
    }

    private static void putValues(ObjectNode node, Map<Metric, Double> values) {
        for (Metric m : Metric.values()) {
            if (values.containsKey(m)) putNumber(node, m.key(), values.get(m));
        }
    }

    private static void putNumber(ObjectNode node, String key, Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) node.putNull(key);
        else node.put(key, v);
    }

    /** Columns: level, style, image, prompt, then each metric's value, then final (overall row only). */
    public static String toCsv(Scorecard card) {
        StringBuilder out = new StringBuilder("mode,level,style,image,prompt");
        for (Metric m : Metric.values()) out.append(',').append(m.key());
        out.append(",final\n");
        for (StyleScore st : card.styles()) {
            for (ImageScore im : st.images()) row(out, card, "image", st.style(), im.image(), im.prompt(), im.values(), null);
        }
        for (StyleScore st : card.styles()) row(out, card, "style", st.style(), "", "", st.values(), null);
        row(out, card, "overall", "", "", "", card.values(), card.finalScore());
        return out.toString();
    }

    private static void row(StringBuilder out, Scorecard card, String level, String style, String image, String prompt,
            Map<Metric, Double> values, Double fin) {
        out.append(card.mode().key()).append(',').append(level).append(',').append(csv(style)).append(',')
                .append(csv(image)).append(',').append(csv(prompt));
        for (Metric m : Metric.values()) out.append(',').append(number(values.get(m)));
        out.append(',').append(number(fin)).append('\n');
    }

    private static String number(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.10g", v);
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}

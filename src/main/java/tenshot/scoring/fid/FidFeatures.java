package tenshot.scoring.fid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import tenshot.scoring.ScoringMode;

/**
 * The FID feature vectors a scorer computed, per style: every reference and every generated image by
 * file name, in the order scored. Stored beside a scorecard so that the FID of any pooling (several
 * runs' styles, or only some prompts) is plain arithmetic on stored numbers, with no model and no image.
 * Vectors are kept in float64 and written with full round-trip precision.
 *
 * @param mode the scoring mode, which fixes the resize rule (official: TF-1.x bilinear, corrected: antialiased)
 */
public record FidFeatures(ScoringMode mode, List<Style> styles) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One style's vectors, by file name ({@code Dolphin.png}). */
    public record Style(String name, Map<String, double[]> references, Map<String, double[]> generated) {
        public Style {
            references = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(references));
            generated = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(generated));
        }
    }

    public FidFeatures {
        styles = List.copyOf(styles);
    }

    /**
     * The pooled FID of the official kit: all references of {@code from}'s styles against the generated
     * images that {@code include} accepts (style name, image file name), across styles.
     *
     * @throws IllegalArgumentException when either side has fewer than two vectors, or modes differ
     */
    public static double pooled(List<FidFeatures> from, BiPredicate<String, String> include) {
        List<double[]> refs = new ArrayList<>();
        List<double[]> gens = new ArrayList<>();
        ScoringMode mode = null;
        for (FidFeatures f : from) {
            if (mode != null && f.mode() != mode) {
                throw new IllegalArgumentException("FID features of different modes (" + mode.key() + ", " + f.mode().key() + ")");
            }
            mode = f.mode();
            for (Style s : f.styles()) {
                boolean any = false;
                for (Map.Entry<String, double[]> g : s.generated().entrySet()) {
                    if (include.test(s.name(), g.getKey())) {
                        gens.add(g.getValue());
                        any = true;
                    }
                }
                if (any) refs.addAll(s.references().values());
            }
        }
        return FrechetDistance.between(GaussianStats.of(refs), GaussianStats.of(gens));
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", mode.key());
        root.put("resize", mode.official() ? "tf1x-bilinear" : "antialiased-bilinear");
        ArrayNode list = root.putArray("styles");
        for (Style s : styles) {
            ObjectNode node = list.addObject();
            node.put("style", s.name());
            vectors(node.putObject("references"), s.references());
            vectors(node.putObject("generated"), s.generated());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FidFeatures fromJson(JsonNode root) {
        JsonNode mode = root.get("mode");
        if (mode == null || !mode.isTextual()) throw new IllegalArgumentException("FID features: field 'mode' is missing");
        List<Style> styles = new ArrayList<>();
        for (JsonNode s : root.path("styles")) {
            styles.add(new Style(s.path("style").asText(), vectors(s.path("references")), vectors(s.path("generated"))));
        }
        return new FidFeatures(ScoringMode.fromKey(mode.asText()), styles);
    }

    private static void vectors(ObjectNode node, Map<String, double[]> vectors) {
        vectors.forEach((name, v) -> {
            ArrayNode a = node.putArray(name);
            for (double x : v) a.add(x);
        });
    }

    private static Map<String, double[]> vectors(JsonNode node) {
        Map<String, double[]> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            double[] v = new double[e.getValue().size()];
            for (int i = 0; i < v.length; i++) v[i] = e.getValue().get(i).asDouble();
            out.put(e.getKey(), v);
        });
        return out;
    }
}

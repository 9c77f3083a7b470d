package tenshot.studio.scores;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import tenshot.scoring.ImageScore;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.StyleScore;
import tenshot.scoring.fid.FidFeatures;

/**
 * The scores of a submission made of one or more runs' scorecards, over the generated images a split
 * includes (all of them, or a dataset's public or hidden prompts). Combined by the official
 * definitions from the per-image values the cards store: DINO, hist and LPIPS are per-style means of
 * the included images, then means over styles; CLIP-R and CLIP-IQA means over all included images;
 * FID one FID of every included generated image against all references of their styles, pooled
 * across styles, from the FID features stored beside the cards (no model runs here). One card over all
 * its images is taken as it is.
 *
 * @param images how many generated images the score covers
 */
public record SubmissionScore(ScoringMode mode, Map<Metric, Double> values, Map<Metric, String> missing,
        Double finalScore, String finalNote, int images) {

    static final String NO_FEATURES = "FID pools all styles' images into one FID, and run %d's scorecard has no stored FID "
            + "features (scored before they were kept): score the run again";
    static final String NO_IMAGES = "no generated image of this submission is in this split";

    /** A run's scorecard with the FID features stored beside it (null when there are none). */
    public record Part(long runId, Scorecard card, FidFeatures fid) {}

    /** Refuses cards that mix modes or repeat a style. */
    public static void check(List<Part> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a submission needs at least one scorecard");
        ScoringMode mode = parts.get(0).card().mode();
        Set<String> styles = new HashSet<>();
        for (Part p : parts) {
            if (p.card().mode() != mode) throw new IllegalArgumentException("the scorecards mix modes (" + mode.key() + " and "
                    + p.card().mode().key() + "); submit runs scored in one mode");
            for (StyleScore s : p.card().styles()) {
                if (!styles.add(s.style())) throw new IllegalArgumentException("style " + s.style() + " is in more than one run");
            }
        }
    }

    /** Over every generated image. */
    public static SubmissionScore of(List<Part> parts) {
        return of(parts, (style, prompt) -> true);
    }

    /** Over the generated images whose (style, prompt) {@code include} accepts. */
    public static SubmissionScore of(List<Part> parts, BiPredicate<String, String> include) {
        check(parts);
        ScoringMode mode = parts.get(0).card().mode();
        int included = 0;
        int all = 0;
        for (Part p : parts) {
            for (StyleScore s : p.card().styles()) {
                for (ImageScore i : s.images()) {
                    all++;
                    if (include.test(s.style(), i.prompt())) included++;
                }
            }
        }
        if (parts.size() == 1 && included == all) {
            Scorecard card = parts.get(0).card();
            Map<Metric, String> missing = new LinkedHashMap<>();
            for (Metric m : Metric.values()) if (!card.computed(m)) missing.put(m, card.status(m).reason());
            return new SubmissionScore(mode, card.values(), missing, card.finalScore(), card.finalNote(), all);
        }
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        Map<Metric, String> missing = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            String reason = included == 0 ? NO_IMAGES : firstMissing(parts, m);
            if (reason != null) {
                missing.put(m, reason);
                continue;
            }
            switch (m) {
                case DINO, HIST, LPIPS -> values.put(m, meanOverStyles(parts, m, include));
                case CLIP_R, CLIP_IQA -> values.put(m, meanOverImages(parts, m, include));
                case FID -> {
                    String noFeatures = withoutFeatures(parts);
                    if (noFeatures != null) {
                        missing.put(m, noFeatures);
                    } else {
                        try {
                            Map<String, String> prompts = promptsByImage(parts);
                            values.put(m, FidFeatures.pooled(parts.stream().map(Part::fid).toList(),
                                    (style, image) -> include.test(style, prompts.getOrDefault(style + "/" + image, image))));
                        } catch (IllegalArgumentException e) {
                            missing.put(m, "FID not computable: " + e.getMessage());
                        }
                    }
                }
            }
        }
        Double fin = null;
        String note;
        if (missing.isEmpty()) {
            double style = 0, content = 0;
            for (Metric m : Metric.values()) {
                if (m.inStyleFactor()) style += m.term(values.get(m));
                else content += m.term(values.get(m));
            }
            fin = style * content;
            note = "final = (0.2·DINO + 0.4·hist + 0.4·(1−LPIPS)) × (0.5·CLIP-R + 0.4·(20−min(FID,20))/20 + 0.1·CLIP-IQA)";
        } else {
            List<String> labels = new ArrayList<>();
            missing.keySet().forEach(m -> labels.add(m.label()));
            note = "no final score: " + String.join(", ", labels) + " not computed";
        }
        return new SubmissionScore(mode, values, missing, fin, note, included);
    }

    private static String firstMissing(List<Part> parts, Metric m) {
        for (Part p : parts) if (!p.card().computed(m)) return p.card().status(m).reason();
        return null;
    }

    private static String withoutFeatures(List<Part> parts) {
        for (Part p : parts) if (p.fid() == null) return String.format(NO_FEATURES, p.runId());
        return null;
    }

    /** {@code style/image file} → the image's prompt, as the scorecards name them. */
    private static Map<String, String> promptsByImage(List<Part> parts) {
        Map<String, String> out = new java.util.HashMap<>();
        for (Part p : parts) {
            for (StyleScore s : p.card().styles()) {
                for (ImageScore i : s.images()) out.put(s.style() + "/" + i.image(), i.prompt());
            }
        }
        return out;
    }

    private static double meanOverStyles(List<Part> parts, Metric m, BiPredicate<String, String> include) {
        double sum = 0;
        int n = 0;
        for (Part p : parts) {
            for (StyleScore s : p.card().styles()) {
                double styleSum = 0;
                int count = 0;
                for (ImageScore i : s.images()) {
                    if (!include.test(s.style(), i.prompt())) continue;
                    styleSum += value(i, m);
                    count++;
                }
                if (count == 0) continue;
                sum += styleSum / count;
                n++;
            }
        }
        return sum / n;
    }

    private static double meanOverImages(List<Part> parts, Metric m, BiPredicate<String, String> include) {
        double sum = 0;
        int n = 0;
        for (Part p : parts) {
            for (StyleScore s : p.card().styles()) {
                for (ImageScore i : s.images()) {
                    if (!include.test(s.style(), i.prompt())) continue;
                    sum += value(i, m);
                    n++;
                }
            }
        }
        return sum / n;
    }

    private static double value(ImageScore i, Metric m) {
        Double v = i.values().get(m);
        if (v == null) throw new IllegalArgumentException("image " + i.image() + " has no " + m.label() + " value");
        return v;
    }
}

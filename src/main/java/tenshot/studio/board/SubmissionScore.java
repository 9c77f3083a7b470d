package tenshot.studio.board;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tenshot.scoring.ImageScore;
import tenshot.scoring.Metric;
import tenshot.scoring.Scorecard;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.StyleScore;

/**
 * The scores of a submission made of one or more runs' scorecards (one style each, usually). One card
 * is taken as it is. Several are combined by the official definitions where the per-style and per-image
 * values allow it: DINO, hist and LPIPS are means over styles, CLIP-R and CLIP-IQA means over all
 * generated images. FID pools every style's images into one FID, which per-run cards cannot give, so a
 * submission of several runs has no FID and no final score (it is listed unranked, with that reason).
 */
public record SubmissionScore(ScoringMode mode, Map<Metric, Double> values, Map<Metric, String> missing,
        Double finalScore, String finalNote) {

    static final String POOLED_FID = "FID pools all styles' images into one FID; it is not computed for a submission of several runs";

    public static SubmissionScore of(List<Scorecard> cards) {
        if (cards.isEmpty()) throw new IllegalArgumentException("a submission needs at least one scorecard");
        ScoringMode mode = cards.get(0).mode();
        for (Scorecard c : cards) {
            if (c.mode() != mode) throw new IllegalArgumentException("the scorecards mix modes (" + mode.key() + " and "
                    + c.mode().key() + "); submit runs scored in one mode");
        }
        Set<String> styles = new HashSet<>();
        for (Scorecard c : cards) {
            for (StyleScore s : c.styles()) {
                if (!styles.add(s.style())) throw new IllegalArgumentException("style " + s.style() + " is in more than one run");
            }
        }
        if (cards.size() == 1) {
            Scorecard card = cards.get(0);
            Map<Metric, String> missing = new LinkedHashMap<>();
            for (Metric m : Metric.values()) if (!card.computed(m)) missing.put(m, card.status(m).reason());
            return new SubmissionScore(mode, card.values(), missing, card.finalScore(), card.finalNote());
        }
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        Map<Metric, String> missing = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            String reason = firstMissing(cards, m);
            if (reason != null) {
                missing.put(m, reason);
                continue;
            }
            switch (m) {
                case DINO, HIST, LPIPS -> values.put(m, meanOverStyles(cards, m));
                case CLIP_R, CLIP_IQA -> values.put(m, meanOverImages(cards, m));
                case FID -> missing.put(m, POOLED_FID);
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
            note = cards.get(0).finalNote();
        } else {
            List<String> labels = new ArrayList<>();
            missing.keySet().forEach(m -> labels.add(m.label()));
            note = "no final score: " + String.join(", ", labels) + " not computed";
        }
        return new SubmissionScore(mode, values, missing, fin, note);
    }

    private static String firstMissing(List<Scorecard> cards, Metric m) {
        for (Scorecard c : cards) if (!c.computed(m)) return c.status(m).reason();
        return null;
    }

    private static double meanOverStyles(List<Scorecard> cards, Metric m) {
        double sum = 0;
        int n = 0;
        for (Scorecard c : cards) {
            for (StyleScore s : c.styles()) {
                Double v = s.values().get(m);
                if (v == null) throw new IllegalArgumentException("style " + s.style() + " has no " + m.label() + " value");
                sum += v;
                n++;
            }
        }
        return sum / n;
    }

    private static double meanOverImages(List<Scorecard> cards, Metric m) {
        double sum = 0;
        int n = 0;
        for (Scorecard c : cards) {
            for (StyleScore s : c.styles()) {
                for (ImageScore i : s.images()) {
                    Double v = i.values().get(m);
                    if (v == null) throw new IllegalArgumentException("image " + i.image() + " has no " + m.label() + " value");
                    sum += v;
                    n++;
                }
            }
        }
        return sum / n;
    }
}

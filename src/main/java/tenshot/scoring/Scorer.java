package tenshot.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.scoring.fid.FidFeatures;
import tenshot.scoring.fid.FrechetDistance;
import tenshot.scoring.fid.GaussianStats;
import tenshot.scoring.hist.HistScore;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;

/**
 * Computes a {@link Scorecard} the way the official kit does: every generated image against all the
 * references of its style (never paired one to one); DINO, hist and LPIPS per style then averaged over
 * styles; FID, CLIP-R and CLIP-IQA pooled over all images. A metric whose model is missing or fails is
 * disabled with the reason; the others are still computed. Not thread-safe; run it on the engine thread.
 */
public final class Scorer {

    private static final int CLIP_R_TOP = 5;

    /** Images at a time through a metric network unless told otherwise. */
    public static final int DEFAULT_BATCH = 8;

    private final ScoringModels models;
    private final ScoringMode mode;
    private final int batch;

    public Scorer(ScoringModels models, ScoringMode mode) {
        this(models, mode, DEFAULT_BATCH);
    }

    /** @param batch images at a time through each metric network (the values do not depend on it) */
    public Scorer(ScoringModels models, ScoringMode mode, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        this.models = models;
        this.mode = mode;
        this.batch = batch;
    }

    /**
     * Scores files: one style for a run, all styles for a submission. Styles are read one at a time, so
     * only one style's images are in memory.
     */
    public Scorecard score(List<ScoredStyle> styles) throws IOException {
        return evaluate(styles).card();
    }

    /**
     * The scorecard and the FID feature vectors behind its FID ({@code fid} is null when FID was not
     * computed), so that other poolings of the same images need no model.
     */
    public record Scored(Scorecard card, FidFeatures fid) {}

    /** Same as {@link #score(List)}, with the FID features. */
    public Scored evaluate(List<ScoredStyle> styles) throws IOException {
        if (styles.isEmpty()) throw new IllegalArgumentException("nothing to score: no styles");
        try {
            return scoreAll(styles.size(), i -> {
                try {
                    return StyleImages.read(styles.get(i));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** In-memory images of one style, named (the generated names' stems are the prompts). */
    public record StyleImages(String name, Map<String, RgbImage> references, Map<String, RgbImage> generated) {
        public static StyleImages read(ScoredStyle set) throws IOException {
            Map<String, RgbImage> refs = new LinkedHashMap<>();
            for (Path p : set.references()) refs.put(p.getFileName().toString(), ImageFiles.read(p));
            Map<String, RgbImage> gen = new LinkedHashMap<>();
            for (Path p : set.generated()) gen.put(p.getFileName().toString(), ImageFiles.read(p));
            return new StyleImages(set.name(), refs, gen);
        }
    }

    public Scorecard scoreImages(List<StyleImages> styles) {
        return evaluateImages(styles).card();
    }

    public Scored evaluateImages(List<StyleImages> styles) {
        if (styles.isEmpty()) throw new IllegalArgumentException("nothing to score: no styles");
        return scoreAll(styles.size(), styles::get);
    }

    private Scored scoreAll(int count, java.util.function.IntFunction<StyleImages> styles) {
        Map<Metric, String> failed = new EnumMap<>(Metric.class);
        List<StyleScore> styleScores = new ArrayList<>();
        List<FidFeatures.Style> fidStyles = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            styleScores.add(scoreStyle(styles.apply(i), failed, fidStyles));
        }
        List<double[]> fidRef = new ArrayList<>();
        List<double[]> fidGen = new ArrayList<>();
        for (FidFeatures.Style s : fidStyles) {
            fidRef.addAll(s.references().values());
            fidGen.addAll(s.generated().values());
        }

        List<MetricStatus> statuses = new ArrayList<>();
        for (Metric m : Metric.values()) {
            MetricStatus s = models.status(m);
            if (s.computed() && failed.containsKey(m)) s = MetricStatus.disabled(m, failed.get(m));
            statuses.add(s);
        }
        Map<Metric, Double> overall = new EnumMap<>(Metric.class);
        for (MetricStatus s : statuses) {
            if (!s.computed()) continue;
            Metric m = s.metric();
            switch (m) {
                case DINO, HIST, LPIPS -> overall.put(m, styleScores.stream().mapToDouble(x -> x.values().get(m)).average().orElseThrow());
                case CLIP_R, CLIP_IQA -> overall.put(m, styleScores.stream().flatMap(x -> x.images().stream())
                        .mapToDouble(i -> i.values().get(m)).average().orElseThrow());
                case FID -> {
                    try {
                        overall.put(m, FrechetDistance.between(GaussianStats.of(fidRef), GaussianStats.of(fidGen)));
                    } catch (IllegalArgumentException e) {
                        statuses.set(m.ordinal(), MetricStatus.disabled(m, "FID not computable: " + e.getMessage()));
                    }
                }
            }
        }
        Scorecard card = Scorecard.assemble(mode, statuses, overall, styleScores);
        return new Scored(card, card.computed(Metric.FID) ? new FidFeatures(mode, fidStyles) : null);
    }

    private StyleScore scoreStyle(StyleImages style, Map<Metric, String> failed, List<FidFeatures.Style> fidStyles) {
        List<String> genNames = new ArrayList<>(style.generated().keySet());
        List<RgbImage> refs = new ArrayList<>(style.references().values());
        List<RgbImage> gens = new ArrayList<>(style.generated().values());
        int n = gens.size();
        List<Map<Metric, Double>> perImage = new ArrayList<>();
        List<Map<String, Double>> details = new ArrayList<>();
        List<List<String>> top5 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perImage.add(new EnumMap<>(Metric.class));
            details.add(new HashMap<>());
            top5.add(List.of());
        }
        Map<Metric, Double> styleValues = new EnumMap<>(Metric.class);

        HistScore hist = HistScore.compute(
                refs.stream().map(r -> HistScore.Histograms.of(r, mode.official())).toList(),
                gens.stream().map(g -> HistScore.Histograms.of(g, mode.official())).toList());
        for (int i = 0; i < n; i++) {
            perImage.get(i).put(Metric.HIST, hist.imageScore(i));
            details.get(i).put("hist_rgb", hist.rgbCorrelations().get(i));
            details.get(i).put("hist_hsv", hist.hsvCorrelations().get(i));
        }
        styleValues.put(Metric.HIST, hist.score());

        if (usable(Metric.DINO, failed)) {
            try {
                List<float[]> refEmb = models.dino().embedAll(refs, batch);
                List<float[]> genEmb = models.dino().embedAll(gens, batch);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    float[] g = genEmb.get(i);
                    double mean = 0;
                    for (float[] r : refEmb) mean += cosine(g, r);
                    mean /= refEmb.size();
                    perImage.get(i).put(Metric.DINO, mean);
                    sum += mean;
                }
                styleValues.put(Metric.DINO, sum / n);
            } catch (RuntimeException e) {
                fail(Metric.DINO, e, failed);
            }
        }
        if (usable(Metric.LPIPS, failed)) {
            try {
                double[][] d = models.lpips().distances(gens, refs, batch);
                double total = 0;
                for (int i = 0; i < n; i++) {
                    double row = 0;
                    for (double v : d[i]) row += v;
                    perImage.get(i).put(Metric.LPIPS, row / refs.size());
                    total += row;
                }
                styleValues.put(Metric.LPIPS, total / ((double) n * refs.size()));
            } catch (RuntimeException e) {
                fail(Metric.LPIPS, e, failed);
            }
        }
        if (usable(Metric.FID, failed)) {
            try {
                boolean antialias = !mode.official();
                List<double[]> r = models.fid().featuresAll(refs, antialias, batch);
                List<double[]> g = models.fid().featuresAll(gens, antialias, batch);
                fidStyles.add(new FidFeatures.Style(style.name(), named(style.references().keySet(), r), named(genNames, g)));
                if (r.size() >= 2 && g.size() >= 2) {
                    styleValues.put(Metric.FID, FrechetDistance.between(GaussianStats.of(r), GaussianStats.of(g)));
                }
            } catch (RuntimeException e) {
                fail(Metric.FID, e, failed);
            }
        }
        if (usable(Metric.CLIP_IQA, failed)) {
            try {
                double[] qualities = models.clipIqa().qualityAll(gens, mode.official(), batch);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double q = qualities[i];
                    perImage.get(i).put(Metric.CLIP_IQA, q);
                    sum += q;
                }
                styleValues.put(Metric.CLIP_IQA, sum / n);
            } catch (RuntimeException e) {
                fail(Metric.CLIP_IQA, e, failed);
            }
        }
        if (usable(Metric.CLIP_R, failed)) {
            try {
                List<List<String>> texts = new ArrayList<>();
                for (String name : genNames) {
                    texts.add(ClipRCandidates.forPrompt(models.clipRCandidates(), ScoredStyle.prompt(Path.of(name))));
                }
                List<List<String>> tops = models.clipR().topKAll(gens, texts, CLIP_R_TOP, batch);
                double correct = 0;
                for (int i = 0; i < n; i++) {
                    String prompt = ScoredStyle.prompt(Path.of(genNames.get(i)));
                    List<String> best = tops.get(i);
                    boolean hit = best.contains(prompt.toLowerCase(java.util.Locale.ROOT));
                    perImage.get(i).put(Metric.CLIP_R, hit ? 1.0 : 0.0);
                    top5.set(i, best);
                    correct += hit ? 1 : 0;
                }
                styleValues.put(Metric.CLIP_R, correct / n);
            } catch (RuntimeException e) {
                fail(Metric.CLIP_R, e, failed);
            }
        }

        List<ImageScore> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = genNames.get(i);
            images.add(new ImageScore(name, ScoredStyle.prompt(Path.of(name)), perImage.get(i), details.get(i), top5.get(i)));
        }
        return new StyleScore(style.name(), refs.size(), n, styleValues, images);
    }

    private static Map<String, double[]> named(java.util.Collection<String> names, List<double[]> vectors) {
        Map<String, double[]> out = new LinkedHashMap<>();
        int i = 0;
        for (String n : names) out.put(n, vectors.get(i++));
        return out;
    }

    private boolean usable(Metric m, Map<Metric, String> failed) {
        return models.available(m) && !failed.containsKey(m);
    }

    private static void fail(Metric m, RuntimeException e, Map<Metric, String> failed) {
        failed.put(m, m.label() + " failed: " + e.getMessage());
    }

    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embedding sizes differ: " + a.length + " vs " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-8);
    }
}

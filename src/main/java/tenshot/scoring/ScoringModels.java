package tenshot.scoring;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The metric models available to a scorer, each either present or absent with the reason (shown on the
 * scorecard). Hist needs no model and is always available. Closing releases the models' native memory.
 */
public final class ScoringModels implements AutoCloseable {

    private final DinoModel dino;
    private final LpipsModel lpips;
    private final FidModel fid;
    private final ClipRModel clipR;
    private final List<String> clipRCandidates;
    private final ClipIqaModel clipIqa;
    private final Map<Metric, String> missing;
    private final List<AutoCloseable> resources;

    private ScoringModels(Builder b) {
        this.dino = b.dino;
        this.lpips = b.lpips;
        this.fid = b.fid;
        this.clipR = b.clipR;
        this.clipRCandidates = b.clipRCandidates == null ? null : List.copyOf(b.clipRCandidates);
        this.clipIqa = b.clipIqa;
        this.resources = List.copyOf(b.resources);
        this.missing = new EnumMap<>(Metric.class);
        note(Metric.DINO, dino, b);
        note(Metric.LPIPS, lpips, b);
        note(Metric.FID, fid, b);
        note(Metric.CLIP_R, clipR != null && clipRCandidates != null ? clipR : null, b);
        note(Metric.CLIP_IQA, clipIqa, b);
    }

    private void note(Metric metric, Object model, Builder b) {
        if (model == null) missing.put(metric, b.reasons.getOrDefault(metric, "model not installed"));
    }

    /** No models at all: only hist is computed; every other metric says {@code reason}. */
    public static ScoringModels none(String reason) {
        Builder b = builder();
        for (Metric m : Metric.values()) if (m != Metric.HIST) b.missing(m, reason);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Available, or disabled with the reason. */
    public MetricStatus status(Metric metric) {
        if (metric == Metric.HIST) return MetricStatus.computed(metric);
        String reason = missing.get(metric);
        return reason == null ? MetricStatus.computed(metric) : MetricStatus.disabled(metric, reason);
    }

    public boolean available(Metric metric) {
        return status(metric).computed();
    }

    public DinoModel dino() {
        return dino;
    }

    public LpipsModel lpips() {
        return lpips;
    }

    public FidModel fid() {
        return fid;
    }

    public ClipRModel clipR() {
        return clipR;
    }

    /** The CLIP-R candidate lines as published (before lowercasing and adding the image's prompt). */
    public List<String> clipRCandidates() {
        return clipRCandidates;
    }

    public ClipIqaModel clipIqa() {
        return clipIqa;
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // closing native memory of one model must not keep the others open
            }
        }
    }

    /** Collects the models that could be loaded and the reasons for the others. */
    public static final class Builder {
        private DinoModel dino;
        private LpipsModel lpips;
        private FidModel fid;
        private ClipRModel clipR;
        private List<String> clipRCandidates;
        private ClipIqaModel clipIqa;
        private final Map<Metric, String> reasons = new EnumMap<>(Metric.class);
        private final List<AutoCloseable> resources = new ArrayList<>();

        public Builder dino(DinoModel m) {
            dino = m;
            return this;
        }

        public Builder lpips(LpipsModel m) {
            lpips = m;
            return this;
        }

        public Builder fid(FidModel m) {
            fid = m;
            return this;
        }

        public Builder clipR(ClipRModel m, List<String> candidates) {
            clipR = m;
            clipRCandidates = candidates;
            return this;
        }

        public Builder clipIqa(ClipIqaModel m) {
            clipIqa = m;
            return this;
        }

        public Builder missing(Metric metric, String reason) {
            reasons.put(metric, reason);
            return this;
        }

        /** Something to close with the models (an NDManager, a model holding native memory). */
        public Builder closeWith(AutoCloseable resource) {
            resources.add(resource);
            return this;
        }

        public ScoringModels build() {
            return new ScoringModels(this);
        }
    }
}

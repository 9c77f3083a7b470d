package tenshot.studio.scores;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import tenshot.scoring.Metric;

/** A final score with every metric's value, or why it is missing: a submission's public or hidden score. */
@MappedSuperclass
public abstract class ScoreColumns extends PanacheEntityBase {

    /** Null when a metric is missing; {@link #finalNote} says which. */
    public Double finalScore;

    @Column(columnDefinition = "text")
    public String finalNote;

    public Double dino;
    public Double hist;
    public Double lpips;
    @Column(name = "clip_r")
    public Double clipR;
    public Double fid;
    public Double clipIqa;

    /** JSON object: metric key → why it was not computed. */
    @Column(columnDefinition = "text")
    public String missing;

    public Double value(Metric metric) {
        return switch (metric) {
            case DINO -> dino;
            case HIST -> hist;
            case LPIPS -> lpips;
            case CLIP_R -> clipR;
            case FID -> fid;
            case CLIP_IQA -> clipIqa;
        };
    }

    public void value(Metric metric, Double v) {
        switch (metric) {
            case DINO -> dino = v;
            case HIST -> hist = v;
            case LPIPS -> lpips = v;
            case CLIP_R -> clipR = v;
            case FID -> fid = v;
            case CLIP_IQA -> clipIqa = v;
        }
    }

    /** Copies a computed score into these columns. */
    void fill(SubmissionScore score) {
        finalScore = score.finalScore();
        finalNote = score.finalNote();
        for (Metric m : Metric.values()) value(m, score.values().get(m));
        com.fasterxml.jackson.databind.node.ObjectNode reasons = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        score.missing().forEach((m, reason) -> reasons.put(m.key(), reason));
        missing = reasons.toString();
    }
}

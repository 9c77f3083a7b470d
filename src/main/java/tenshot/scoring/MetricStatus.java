package tenshot.scoring;

/** Whether a metric was computed, and if not, why (for example "model not installed: ..."). */
public record MetricStatus(Metric metric, boolean computed, String reason) {

    public static MetricStatus computed(Metric metric) {
        return new MetricStatus(metric, true, null);
    }

    public static MetricStatus disabled(Metric metric, String reason) {
        return new MetricStatus(metric, false, reason);
    }
}

package tenshot.scoring.hist;

/**
 * OpenCV's {@code compareHist(..., HISTCMP_CORREL)} on float32 histograms, accumulated in double in
 * bin order as OpenCV does; 1 when either histogram is constant.
 */
public final class HistogramCorrelation {

    private HistogramCorrelation() {}

    public static double correl(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("histogram sizes differ: " + a.length + " vs " + b.length);
        double s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[i];
            s12 += x * y;
            s1 += x;
            s11 += x * x;
            s2 += y;
            s22 += y * y;
        }
        double scale = 1.0 / a.length;
        double num = s12 - s1 * s2 * scale;
        double denom2 = (s11 - s1 * s1 * scale) * (s22 - s2 * s2 * scale);
        return Math.abs(denom2) > Math.ulp(1.0) ? num / Math.sqrt(denom2) : 1.0;
    }

    public static float[] toFloat(int[] counts) {
        float[] out = new float[counts.length];
        for (int i = 0; i < counts.length; i++) out[i] = counts[i];
        return out;
    }

    /**
     * The mean of several count histograms as numpy computes it over a stack of float32 histograms:
     * float32 accumulation image by image, then one float32 division.
     */
    public static float[] mean(java.util.List<int[]> histograms) {
        if (histograms.isEmpty()) throw new IllegalArgumentException("no histograms to average");
        int n = histograms.get(0).length;
        float[] sum = new float[n];
        for (int[] h : histograms) {
            if (h.length != n) throw new IllegalArgumentException("histogram sizes differ: " + h.length + " vs " + n);
            for (int i = 0; i < n; i++) sum[i] += h[i];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) sum[i] / (float) histograms.size();
        return out;
    }
}

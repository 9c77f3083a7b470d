package tenshot.scoring.hist;

import java.util.ArrayList;
import java.util.List;
import tenshot.scoring.image.RgbImage;

/**
 * The official hist metric for one style: the mean RGB and HSV histograms of the references, each
 * generated image's correlation with them, and the style score {@code (mean RGB + mean HSV) / 2}.
 */
public record HistScore(float[] referenceRgbMean, float[] referenceHsvMean, List<Double> rgbCorrelations,
        List<Double> hsvCorrelations, double score) {

    /** Histograms of one image, computed once and reusable across styles. */
    public record Histograms(int[] rgb, int[] hsv) {
        public static Histograms of(RgbImage image) {
            return of(image, true);
        }

        /** {@code official}: the kit's quirks; otherwise the corrected histograms. */
        public static Histograms of(RgbImage image, boolean official) {
            return new Histograms(ColorHistograms.rgb(image, official), ColorHistograms.hsv(image, official));
        }
    }

    public static HistScore compute(List<Histograms> references, List<Histograms> generated) {
        if (references.isEmpty()) throw new IllegalArgumentException("hist needs at least one reference image");
        if (generated.isEmpty()) throw new IllegalArgumentException("hist needs at least one generated image");
        float[] rgbMean = HistogramCorrelation.mean(references.stream().map(Histograms::rgb).toList());
        float[] hsvMean = HistogramCorrelation.mean(references.stream().map(Histograms::hsv).toList());
        List<Double> rgb = new ArrayList<>();
        List<Double> hsv = new ArrayList<>();
        for (Histograms g : generated) {
            rgb.add(HistogramCorrelation.correl(rgbMean, HistogramCorrelation.toFloat(g.rgb())));
            hsv.add(HistogramCorrelation.correl(hsvMean, HistogramCorrelation.toFloat(g.hsv())));
        }
        double score = (mean(rgb) + mean(hsv)) / 2;
        return new HistScore(rgbMean, hsvMean, List.copyOf(rgb), List.copyOf(hsv), score);
    }

    /** Per generated image: {@code (rgb + hsv) / 2}, whose mean is the style score. */
    public double imageScore(int index) {
        return (rgbCorrelations.get(index) + hsvCorrelations.get(index)) / 2;
    }

    private static double mean(List<Double> values) {
        double s = 0;
        for (double v : values) s += v;
        return s / values.size();
    }
}

package tenshot.scoring.hist;

import tenshot.scoring.image.RgbImage;

/**
 * The two colour histograms of the official kit, at native size, as integer counts.
 *
 * <p>RGB: each channel quantised to 16 levels, bin {@code B*256 + G*16 + R} computed in 8-bit
 * arithmetic, so {@code B*256} wraps to 0 and only bins 0..255 of the 4096 are ever filled.
 *
 * <p>HSV: OpenCV's 8-bit HSV, hue doubled in 8 bits (so 128..179 wrap to 0..102 "degrees"), quantised
 * to 8 hue x 3 saturation x 3 value classes with the kit's thresholds, {@code L = 9H + 3S + V}, counted
 * in 72 bins over the range [0, 71): the value 71 is out of range and is not counted.
 *
 * <p>The corrected variant computes what the kit meant: a true 4096-bin RGB index, the hue doubled
 * without wrapping, and all 72 HSV bins counted.
 */
public final class ColorHistograms {

    public static final int RGB_BINS = 4096;
    public static final int HSV_BINS = 72;
    /** calcHist's upper range bound for the HSV histogram: values >= 71 are dropped. */
    static final int HSV_RANGE_END = 71;

    private ColorHistograms() {}

    public static int[] rgb(RgbImage image) {
        return rgb(image, true);
    }

    public static int[] hsv(RgbImage image) {
        return hsv(image, true);
    }

    public static int[] rgb(RgbImage image, boolean official) {
        int mask = official ? 0xFF : 0xFFF;
        int[] bins = new int[RGB_BINS];
        byte[] p = image.rgb();
        for (int i = 0; i < p.length; i += 3) {
            int r = (p[i] & 0xFF) >> 4;
            int g = (p[i + 1] & 0xFF) >> 4;
            int b = (p[i + 2] & 0xFF) >> 4;
            bins[(b * 256 + g * 16 + r) & mask]++;
        }
        return bins;
    }

    public static int[] hsv(RgbImage image, boolean official) {
        int end = official ? HSV_RANGE_END : HSV_BINS;
        int[] bins = new int[HSV_BINS];
        byte[] p = image.rgb();
        for (int i = 0; i < p.length; i += 3) {
            int hsv = OpenCvHsv.fromRgb(p[i] & 0xFF, p[i + 1] & 0xFF, p[i + 2] & 0xFF);
            int h = OpenCvHsv.hue(hsv);
            int degrees = official ? (2 * h) & 0xFF : 2 * h;
            int level = 9 * hueClass(degrees) + 3 * thirdClass(OpenCvHsv.saturation(hsv)) + thirdClass(OpenCvHsv.value(hsv));
            if (level < end) bins[level]++;
        }
        return bins;
    }

    /**
     * The kit's hue classes in degrees: (315, 360] and [0, 20] → 0, (20, 40] → 1, (40, 75] → 2,
     * (75, 155] → 3, (155, 190] → 4, (190, 270] → 5, (270, 295] → 6, (295, 315] → 7. The wrapped
     * doubled hue never exceeds 255, so classes 6 and 7 stay empty, as in the kit.
     */
    static int hueClass(int degrees) {
        if (degrees <= 20) return 0;
        if (degrees <= 40) return 1;
        if (degrees <= 75) return 2;
        if (degrees <= 155) return 3;
        if (degrees <= 190) return 4;
        if (degrees <= 270) return 5;
        if (degrees <= 295) return 6;
        if (degrees <= 315) return 7;
        return 0;
    }

    /** Saturation and value classes: x/255 in [0, 0.2] → 0, (0.2, 0.7] → 1, above → 2. */
    static int thirdClass(int x) {
        if (x <= 51) return 0;
        if (x <= 178) return 1;
        return 2;
    }
}

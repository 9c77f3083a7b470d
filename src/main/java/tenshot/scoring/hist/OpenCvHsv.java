package tenshot.scoring.hist;

/**
 * OpenCV's 8-bit {@code cvtColor(BGR2HSV)}, bit-exact: H in 0..179 (degrees / 2), S and V in 0..255,
 * computed with its fixed-point division tables (12 fractional bits, rounded to nearest).
 */
public final class OpenCvHsv {

    private static final int SHIFT = 12;
    private static final int[] SATURATION_DIV = new int[256];
    private static final int[] HUE_DIV = new int[256];

    static {
        for (int i = 1; i < 256; i++) {
            SATURATION_DIV[i] = (int) Math.rint((255 << SHIFT) / (double) i);
            HUE_DIV[i] = (int) Math.rint((180 << SHIFT) / (6.0 * i));
        }
    }

    private OpenCvHsv() {}

    /** HSV of one pixel, packed as {@code h << 16 | s << 8 | v}. */
    public static int fromRgb(int r, int g, int b) {
        int v = Math.max(b, Math.max(g, r));
        int vmin = Math.min(b, Math.min(g, r));
        int diff = v - vmin;
        int s = (diff * SATURATION_DIV[v] + (1 << (SHIFT - 1))) >> SHIFT;
        int h;
        if (v == r) h = g - b;
        else if (v == g) h = b - r + 2 * diff;
        else h = r - g + 4 * diff;
        h = (h * HUE_DIV[diff] + (1 << (SHIFT - 1))) >> SHIFT;
        if (h < 0) h += 180;
        return h << 16 | s << 8 | v;
    }

    public static int hue(int packed) {
        return packed >>> 16;
    }

    public static int saturation(int packed) {
        return (packed >>> 8) & 0xFF;
    }

    public static int value(int packed) {
        return packed & 0xFF;
    }
}

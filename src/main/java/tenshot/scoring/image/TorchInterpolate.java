package tenshot.scoring.image;

/**
 * torch's {@code interpolate(mode="bicubic", align_corners=False)} on float {@code [C, H, W]} planes, on
 * the host in double precision: plain (Keys a = −0.75, clamped borders) and antialiased (Pillow-style
 * a = −0.5 filter widened by the scale when downsizing). Used once per model load for position tables.
 */
public final class TorchInterpolate {

    private TorchInterpolate() {}

    public static float[] bicubic(float[] chw, int channels, int height, int width, int outH, int outW, boolean antialias) {
        float[] tmp = antialias ? passAntialias(chw, channels, height, width, outW, true)
                : passPlain(chw, channels, height, width, outW, true);
        return antialias ? passAntialias(tmp, channels, height, outW, outH, false)
                : passPlain(tmp, channels, height, outW, outH, false);
    }

    private static double cubic1(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static double cubic2(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    private static float[] passPlain(float[] in, int channels, int height, int width, int outSize, boolean alongX) {
        int inSize = alongX ? width : height;
        double scale = (double) inSize / outSize;
        int outH = alongX ? height : outSize;
        int outW = alongX ? outSize : width;
        float[] out = new float[channels * outH * outW];
        double a = -0.75;
        for (int o = 0; o < outSize; o++) {
            double real = scale * (o + 0.5) - 0.5;
            int i0 = (int) Math.floor(real);
            double t = real - i0;
            double[] w = {cubic2(t + 1, a), cubic1(t, a), cubic1(1 - t, a), cubic2(2 - t, a)};
            int[] idx = new int[4];
            for (int k = 0; k < 4; k++) idx[k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
            apply(in, out, channels, height, width, outH, outW, o, idx, w, alongX);
        }
        return out;
    }

    private static float[] passAntialias(float[] in, int channels, int height, int width, int outSize, boolean alongX) {
        int inSize = alongX ? width : height;
        double scale = (double) inSize / outSize;
        double support = 2 * Math.max(scale, 1.0);
        double invScale = 1 / Math.max(scale, 1.0);
        int outH = alongX ? height : outSize;
        int outW = alongX ? outSize : width;
        float[] out = new float[channels * outH * outW];
        for (int o = 0; o < outSize; o++) {
            double center = scale * (o + 0.5);
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xsize = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] w = new double[xsize];
            int[] idx = new int[xsize];
            double total = 0;
            for (int j = 0; j < xsize; j++) {
                double x = Math.abs((j + xmin - center + 0.5) * invScale);
                w[j] = x < 1 ? cubic1(x, -0.5) : x < 2 ? cubic2(x, -0.5) : 0;
                idx[j] = xmin + j;
                total += w[j];
            }
            for (int j = 0; j < xsize; j++) w[j] = total != 0 ? w[j] / total : 0;
            apply(in, out, channels, height, width, outH, outW, o, idx, w, alongX);
        }
        return out;
    }

    private static void apply(float[] in, float[] out, int channels, int height, int width, int outH, int outW, int o,
            int[] idx, double[] w, boolean alongX) {
        for (int c = 0; c < channels; c++) {
            int base = c * height * width;
            int obase = c * outH * outW;
            if (alongX) {
                for (int y = 0; y < height; y++) {
                    double s = 0;
                    for (int j = 0; j < idx.length; j++) s += in[base + y * width + idx[j]] * w[j];
                    out[obase + y * outW + o] = (float) s;
                }
            } else {
                for (int x = 0; x < width; x++) {
                    double s = 0;
                    for (int j = 0; j < idx.length; j++) s += in[base + idx[j] * width + x] * w[j];
                    out[obase + o * outW + x] = (float) s;
                }
            }
        }
    }
}

package tenshot.scoring.image;

/**
 * Bilinear resizes of float CHW planes as the FID extractors do them.
 *
 * <p>{@link #tf1x}: torch-fidelity's TensorFlow-1.x-compatible bilinear (align_corners false): source
 * coordinate {@code dst · (in/out)} with no half-pixel shift, no antialiasing, all in float32 — what the
 * 2024 kit's FID used. {@link #antialiased}: torch's {@code interpolate(bilinear, antialias=True)}
 * (half-pixel centres, triangle filter widened by the scale when downsizing).
 */
public final class TfBilinear {

    private TfBilinear() {}

    public static float[] tf1x(float[] chw, int channels, int height, int width, int outH, int outW) {
        float scaleX = (float) ((double) width / outW);
        float scaleY = (float) ((double) height / outH);
        int[] xLo = new int[outW], xHi = new int[outW];
        float[] dx = new float[outW];
        for (int x = 0; x < outW; x++) {
            float g = (float) x * scaleX;
            xLo[x] = (int) g;
            xHi[x] = Math.min(xLo[x] + 1, width - 1);
            dx[x] = g - (float) xLo[x];
        }
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int base = c * height * width;
            for (int y = 0; y < outH; y++) {
                float g = (float) y * scaleY;
                int yLo = (int) g;
                int yHi = Math.min(yLo + 1, height - 1);
                float dy = g - (float) yLo;
                for (int x = 0; x < outW; x++) {
                    float i00 = chw[base + yLo * width + xLo[x]];
                    float i01 = chw[base + yLo * width + xHi[x]];
                    float i10 = chw[base + yHi * width + xLo[x]];
                    float i11 = chw[base + yHi * width + xHi[x]];
                    float i0 = i00 + (i01 - i00) * dx[x];
                    float i1 = i10 + (i11 - i10) * dx[x];
                    out[(c * outH + y) * outW + x] = i0 + (i1 - i0) * dy;
                }
            }
        }
        return out;
    }

    public static float[] antialiased(float[] chw, int channels, int height, int width, int outH, int outW) {
        float[] tmp = pass(chw, channels, height, width, outW, true);
        return pass(tmp, channels, height, outW, outH, false);
    }

    /** One separable pass along x ({@code alongX}) or y, torch's antialiased linear kernel. */
    private static float[] pass(float[] in, int channels, int height, int width, int outSize, boolean alongX) {
        int inSize = alongX ? width : height;
        double scale = (double) inSize / outSize;
        double support = scale >= 1 ? scale : 1.0;
        double invScale = scale >= 1 ? 1 / scale : 1.0;
        int outH = alongX ? height : outSize;
        int outW = alongX ? outSize : width;
        float[] out = new float[channels * outH * outW];
        for (int o = 0; o < outSize; o++) {
            double center = scale * (o + 0.5);
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xsize = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] w = new double[xsize];
            double total = 0;
            for (int j = 0; j < xsize; j++) {
                double t = Math.abs((j + xmin - center + 0.5) * invScale);
                w[j] = t < 1 ? 1 - t : 0;
                total += w[j];
            }
            float[] wf = new float[xsize];
            for (int j = 0; j < xsize; j++) wf[j] = (float) (total != 0 ? w[j] / total : 0);
            for (int c = 0; c < channels; c++) {
                int base = c * height * width;
                int obase = c * outH * outW;
                if (alongX) {
                    for (int y = 0; y < height; y++) {
                        float s = 0;
                        for (int j = 0; j < xsize; j++) s += in[base + y * width + xmin + j] * wf[j];
                        out[obase + y * outW + o] = s;
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        float s = 0;
                        for (int j = 0; j < xsize; j++) s += in[base + (xmin + j) * width + x] * wf[j];
                        out[obase + o * outW + x] = s;
                    }
                }
            }
        }
        return out;
    }
}

package tenshot.diffusion.train;

import java.awt.image.BufferedImage;

/** Float-plane image resampling used by {@link Augmentation}: PIL-style antialiased bilinear resize and rotation. */
final class Resampling {

    private Resampling() {}

    /** RGB planes {@code [3, h, w]} in [0, 1]. */
    static float[] toPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] planes = new float[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            planes[i] = ((p >> 16) & 0xFF) / 255f;
            planes[plane + i] = ((p >> 8) & 0xFF) / 255f;
            planes[2 * plane + i] = (p & 0xFF) / 255f;
        }
        return planes;
    }

    /**
     * Separable bilinear resize whose triangle filter widens with the downscale factor, so shrinking a
     * 1024 px image to 532 px averages every source pixel instead of skipping some (as PIL does).
     */
    static float[] resize(float[] planes, int w, int h, int outW, int outH) {
        if (w == outW && h == outH) return planes;
        float[] horizontal = new float[3 * outW * h];
        Filter fx = new Filter(w, outW);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                int row = c * w * h + y * w;
                for (int x = 0; x < outW; x++) {
                    horizontal[c * outW * h + y * outW + x] = fx.apply(planes, row, 1, x);
                }
            }
        }
        float[] out = new float[3 * outW * outH];
        Filter fy = new Filter(h, outH);
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < outW; x++) {
                int column = c * outW * h + x;
                for (int y = 0; y < outH; y++) {
                    out[c * outW * outH + y * outW + x] = fy.apply(horizontal, column, outW, y);
                }
            }
        }
        return out;
    }

    /** Triangle-filter weights for every output index along one axis. */
    private static final class Filter {
        final int[] first;
        final float[][] weights;

        Filter(int in, int out) {
            double scale = (double) in / out;
            double support = Math.max(1.0, scale);
            first = new int[out];
            weights = new float[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support));
                int hi = Math.min(in, (int) Math.ceil(center + support));
                double[] w = new double[hi - lo];
                double total = 0;
                for (int j = lo; j < hi; j++) {
                    double t = Math.abs((j + 0.5 - center) / support);
                    w[j - lo] = Math.max(0, 1 - t);
                    total += w[j - lo];
                }
                first[i] = lo;
                weights[i] = new float[w.length];
                for (int k = 0; k < w.length; k++) weights[i][k] = (float) (w[k] / total);
            }
        }

        float apply(float[] data, int base, int stride, int index) {
            float[] w = weights[index];
            int offset = base + first[index] * stride;
            float sum = 0;
            for (int k = 0; k < w.length; k++) sum += w[k] * data[offset + k * stride];
            return sum;
        }
    }

    /** Rotates {@code [3, h, w]} planes by {@code radians} (counter-clockwise) about the centre, bilinear, edges clamped. */
    static float[] rotate(float[] planes, int w, int h, double radians) {
        float[] out = new float[planes.length];
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - cx;
                double dy = y - cy;
                double sx = Math.min(w - 1, Math.max(0, cx + cos * dx - sin * dy));
                double sy = Math.min(h - 1, Math.max(0, cy + sin * dx + cos * dy));
                int x0 = (int) sx;
                int y0 = (int) sy;
                int x1 = Math.min(w - 1, x0 + 1);
                int y1 = Math.min(h - 1, y0 + 1);
                float ax = (float) (sx - x0);
                float ay = (float) (sy - y0);
                for (int c = 0; c < 3; c++) {
                    int b = c * plane;
                    float top = planes[b + y0 * w + x0] * (1 - ax) + planes[b + y0 * w + x1] * ax;
                    float bottom = planes[b + y1 * w + x0] * (1 - ax) + planes[b + y1 * w + x1] * ax;
                    out[b + y * w + x] = top * (1 - ay) + bottom * ay;
                }
            }
        }
        return out;
    }
}

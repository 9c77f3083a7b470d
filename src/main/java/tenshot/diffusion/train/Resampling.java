package tenshot.diffusion.train;

import java.awt.image.BufferedImage;

/** Float planes for {@link Augmentation}: RGB planes from an image, and rotation (the resize is {@code PilResize.resizePlanes}). */
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

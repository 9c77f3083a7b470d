package tenshot.diffusion.image;

/**
 * Pillow's {@code Image.resize}, the one home of PIL resampling: separable convolution (horizontal pass,
 * then vertical), the filter's support widened by the scale when downsizing (antialiasing), so shrinking
 * a 1024 px image to 532 px averages every source pixel instead of skipping some. On 8-bit RGB it is
 * bit-exact: coefficients in 22-bit fixed point and each pass rounded and clipped to 8 bits, as Pillow's
 * {@code ImagingResample} does (the metrics' preprocessors). On float planes the same weights apply
 * unrounded (training augmentation).
 */
public final class PilResize {

    /** Pillow's resampling filters. */
    public enum Filter {
        /** {@code Image.BILINEAR}: triangle, support 1. */
        BILINEAR(1.0),
        /** {@code Image.BICUBIC}: Keys cubic with a = −0.5, support 2. */
        BICUBIC(2.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            if (x < 0) x = -x;
            if (this == BILINEAR) return x < 1 ? 1 - x : 0;
            double a = -0.5;
            if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
            if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
            return 0;
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /**
     * Interleaved 8-bit RGB ({@code r, g, b} per pixel) of {@code width x height} resized; the same
     * array when the size does not change.
     *
     * @param torchvision use the fixed-point precision of torch's antialiased uint8 kernel (what
     *     torchvision's {@code resize} on uint8 tensors and transformers' fast image processors run): int16
     *     weights whose precision is the largest that keeps the biggest weight below 2^15, per axis,
     *     instead of Pillow's fixed 22 bits. The two differ by one level on a few pixels.
     */
    public static byte[] resizeRgb(byte[] rgb, int width, int height, int outWidth, int outHeight, Filter filter,
            boolean torchvision) {
        checkSizes(rgb.length, 3, width, height, outWidth, outHeight);
        if (outWidth == width && outHeight == height) return rgb;
        Coefficients horizontal = Coefficients.of(width, outWidth, filter);
        Coefficients vertical = Coefficients.of(height, outHeight, filter);
        byte[] src = rgb;
        int srcW = width;
        int firstRow = 0;
        if (outWidth != width) {
            // only the rows the vertical pass will read
            firstRow = outHeight != height ? vertical.start[0] : 0;
            int lastRow = outHeight != height ? vertical.start[outHeight - 1] + vertical.count[outHeight - 1] : height;
            int rows = lastRow - firstRow;
            int[] fixed = horizontal.fixed(torchvision);
            int bits = horizontal.bits(torchvision);
            byte[] tmp = new byte[outWidth * rows * 3];
            for (int y = 0; y < rows; y++) {
                int rowBase = (y + firstRow) * width * 3;
                for (int x = 0; x < outWidth; x++) {
                    int start = horizontal.start[x];
                    int count = horizontal.count[x];
                    int k0 = x * horizontal.size;
                    int s0 = 1 << (bits - 1), s1 = s0, s2 = s0;
                    for (int i = 0; i < count; i++) {
                        int k = fixed[k0 + i];
                        int p = rowBase + (start + i) * 3;
                        s0 += (src[p] & 0xFF) * k;
                        s1 += (src[p + 1] & 0xFF) * k;
                        s2 += (src[p + 2] & 0xFF) * k;
                    }
                    int o = (y * outWidth + x) * 3;
                    tmp[o] = clip8(s0, bits);
                    tmp[o + 1] = clip8(s1, bits);
                    tmp[o + 2] = clip8(s2, bits);
                }
            }
            src = tmp;
            srcW = outWidth;
        }
        if (outHeight == height) return src;
        int[] fixed = vertical.fixed(torchvision);
        int bits = vertical.bits(torchvision);
        byte[] out = new byte[outWidth * outHeight * 3];
        for (int y = 0; y < outHeight; y++) {
            int start = vertical.start[y] - firstRow;
            int count = vertical.count[y];
            int k0 = y * vertical.size;
            for (int x = 0; x < outWidth; x++) {
                int s0 = 1 << (bits - 1), s1 = s0, s2 = s0;
                for (int i = 0; i < count; i++) {
                    int k = fixed[k0 + i];
                    int p = ((start + i) * srcW + x) * 3;
                    s0 += (src[p] & 0xFF) * k;
                    s1 += (src[p + 1] & 0xFF) * k;
                    s2 += (src[p + 2] & 0xFF) * k;
                }
                int o = (y * outWidth + x) * 3;
                out[o] = clip8(s0, bits);
                out[o + 1] = clip8(s1, bits);
                out[o + 2] = clip8(s2, bits);
            }
        }
        return out;
    }

    /** Float planes {@code [channels, height, width]} resized with unrounded weights; the same array when the size does not change. */
    public static float[] resizePlanes(float[] planes, int channels, int width, int height, int outWidth, int outHeight,
            Filter filter) {
        checkSizes(planes.length, channels, width, height, outWidth, outHeight);
        if (outWidth == width && outHeight == height) return planes;
        Coefficients fx = Coefficients.of(width, outWidth, filter);
        float[] horizontal = new float[channels * outWidth * height];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = c * width * height + y * width;
                for (int x = 0; x < outWidth; x++) horizontal[c * outWidth * height + y * outWidth + x] = fx.apply(planes, row, 1, x);
            }
        }
        Coefficients fy = Coefficients.of(height, outHeight, filter);
        float[] out = new float[channels * outWidth * outHeight];
        for (int c = 0; c < channels; c++) {
            for (int x = 0; x < outWidth; x++) {
                int column = c * outWidth * height + x;
                for (int y = 0; y < outHeight; y++) out[c * outWidth * outHeight + y * outWidth + x] = fy.apply(horizontal, column, outWidth, y);
            }
        }
        return out;
    }

    private static void checkSizes(int length, int channels, int width, int height, int outWidth, int outHeight) {
        if (outWidth <= 0 || outHeight <= 0) throw new IllegalArgumentException("target size must be positive: " + outWidth + "x" + outHeight);
        if (length != channels * width * height) {
            throw new IllegalArgumentException("image holds " + length + " values, expected " + channels * width * height + " for "
                    + channels + " channels of " + width + "x" + height);
        }
    }

    private static byte clip8(int v, int bits) {
        int s = v >> bits;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /** Per output pixel: the first input index, how many inputs, and their normalized weights ({@code size} slots each). */
    private record Coefficients(int size, int[] start, int[] count, double[] normalized, double max) {

        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            double[] k = new double[size];
            double[] normalized = new double[outSize * size];
            double max = 0;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = filter.weight((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0 ? k[x] / ww : k[x];
                    normalized[xx * size + x] = w;
                    max = Math.max(max, w);
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(size, start, count, normalized, max);
        }

        int bits(boolean torchvision) {
            if (!torchvision) return PRECISION_BITS;
            int bits = 0;
            while (bits < PRECISION_BITS && (int) (0.5 + max * (1 << (bits + 1))) < (1 << 15)) bits++;
            return bits;
        }

        int[] fixed(boolean torchvision) {
            int bits = bits(torchvision);
            int[] fixed = new int[normalized.length];
            for (int i = 0; i < normalized.length; i++) {
                double w = normalized[i];
                fixed[i] = w < 0 ? (int) (-0.5 + w * (1 << bits)) : (int) (0.5 + w * (1 << bits));
            }
            return fixed;
        }

        float apply(float[] data, int base, int stride, int index) {
            int offset = base + start[index] * stride;
            int k0 = index * size;
            float sum = 0;
            for (int i = 0; i < count[index]; i++) sum += (float) normalized[k0 + i] * data[offset + i * stride];
            return sum;
        }
    }
}

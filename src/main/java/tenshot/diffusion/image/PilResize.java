package tenshot.scoring.image;

/**
 * Pillow's {@code Image.resize} on 8-bit RGB, bit-exact: separable convolution (horizontal pass, then
 * vertical), the filter's support widened by the scale when downsizing (antialiasing), coefficients in
 * 22-bit fixed point and each pass rounded and clipped to 8 bits, as Pillow's {@code ImagingResample} does.
 */
public final class PilResize {

    /** Pillow's resampling filters used by the metrics' preprocessors. */
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

    public static RgbImage resize(RgbImage in, int width, int height, Filter filter) {
        return resize(in, width, height, filter, false);
    }

    /**
     * @param torchvision use the fixed-point precision of torch's antialiased uint8 kernel (what
     *     torchvision's {@code resize} on uint8 tensors and transformers' fast image processors run): int16
     *     weights whose precision is the largest that keeps the biggest weight below 2^15, per axis,
     *     instead of Pillow's fixed 22 bits. The two differ by one level on a few pixels.
     */
    public static RgbImage resize(RgbImage in, int width, int height, Filter filter, boolean torchvision) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        if (width == in.width() && height == in.height()) return in;
        Coefficients horizontal = Coefficients.of(in.width(), width, filter, torchvision);
        Coefficients vertical = Coefficients.of(in.height(), height, filter, torchvision);
        byte[] src = in.rgb();
        int srcW = in.width();
        int firstRow = 0;
        int rows = in.height();
        if (width != in.width()) {
            // only the rows the vertical pass will read
            firstRow = height != in.height() ? vertical.start[0] : 0;
            int lastRow = height != in.height() ? vertical.start[height - 1] + vertical.count[height - 1] : in.height();
            rows = lastRow - firstRow;
            byte[] tmp = new byte[width * rows * 3];
            for (int y = 0; y < rows; y++) {
                int rowBase = (y + firstRow) * srcW * 3;
                for (int x = 0; x < width; x++) {
                    int start = horizontal.start[x];
                    int count = horizontal.count[x];
                    int k0 = x * horizontal.size;
                    int s0 = 1 << (horizontal.bits - 1), s1 = s0, s2 = s0;
                    for (int i = 0; i < count; i++) {
                        int k = horizontal.fixed[k0 + i];
                        int p = rowBase + (start + i) * 3;
                        s0 += (src[p] & 0xFF) * k;
                        s1 += (src[p + 1] & 0xFF) * k;
                        s2 += (src[p + 2] & 0xFF) * k;
                    }
                    int o = (y * width + x) * 3;
                    tmp[o] = clip8(s0, horizontal.bits);
                    tmp[o + 1] = clip8(s1, horizontal.bits);
                    tmp[o + 2] = clip8(s2, horizontal.bits);
                }
            }
            src = tmp;
            srcW = width;
        }
        if (height == in.height()) return new RgbImage(width, height, src);
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int start = vertical.start[y] - firstRow;
            int count = vertical.count[y];
            int k0 = y * vertical.size;
            for (int x = 0; x < width; x++) {
                int s0 = 1 << (vertical.bits - 1), s1 = s0, s2 = s0;
                for (int i = 0; i < count; i++) {
                    int k = vertical.fixed[k0 + i];
                    int p = ((start + i) * srcW + x) * 3;
                    s0 += (src[p] & 0xFF) * k;
                    s1 += (src[p + 1] & 0xFF) * k;
                    s2 += (src[p + 2] & 0xFF) * k;
                }
                int o = (y * width + x) * 3;
                out[o] = clip8(s0, vertical.bits);
                out[o + 1] = clip8(s1, vertical.bits);
                out[o + 2] = clip8(s2, vertical.bits);
            }
        }
        return new RgbImage(width, height, out);
    }

    private static byte clip8(int v, int bits) {
        int s = v >> bits;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /** Per output pixel: the first input index, how many inputs, and their fixed-point weights. */
    private record Coefficients(int size, int[] start, int[] count, int[] fixed, int bits) {

        static Coefficients of(int inSize, int outSize, Filter filter, boolean torchvision) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] fixed = new int[outSize * size];
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
            int bits = PRECISION_BITS;
            if (torchvision) {
                for (bits = 0; bits < PRECISION_BITS; bits++) {
                    if ((int) (0.5 + max * (1 << (bits + 1))) >= (1 << 15)) break;
                }
            }
            for (int i = 0; i < normalized.length; i++) {
                double w = normalized[i];
                fixed[i] = w < 0 ? (int) (-0.5 + w * (1 << bits)) : (int) (0.5 + w * (1 << bits));
            }
            return new Coefficients(size, start, count, fixed, bits);
        }
    }
}

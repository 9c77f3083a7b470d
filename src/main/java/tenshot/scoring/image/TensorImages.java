package tenshot.scoring.image;

/** Host-side conversions of 8-bit images to float CHW planes ({@code [3, H, W]}, row-major). */
public final class TensorImages {

    private TensorImages() {}

    /** {@code pixel · scale + offset}, channel-major. {@code (1/255, 0)} is ToTensor; {@code (1, 0)} raw values. */
    public static float[] chw(RgbImage image, float scale, float offset) {
        int hw = image.width() * image.height();
        float[] out = new float[3 * hw];
        byte[] p = image.rgb();
        for (int i = 0; i < hw; i++) {
            for (int c = 0; c < 3; c++) out[c * hw + i] = (p[i * 3 + c] & 0xFF) * scale + offset;
        }
        return out;
    }

    /**
     * The Hugging Face processors' {@code rescale} then {@code normalize}: {@code (pixel·factor − mean) / std},
     * computed in float32 as numpy does on float32 arrays.
     */
    public static float[] normalized(RgbImage image, double rescale, double[] mean, double[] std) {
        int hw = image.width() * image.height();
        float[] out = new float[3 * hw];
        byte[] p = image.rgb();
        float factor = (float) rescale;
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int i = 0; i < hw; i++) out[c * hw + i] = ((p[i * 3 + c] & 0xFF) * factor - m) / s;
        }
        return out;
    }
}

package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Conversions between 8-bit RGB images and the pipeline's NCHW tensors, and PNG output. */
public final class Images {

    private Images() {}

    /** An RGB copy of {@code image} at {@code width x height}: area averaging down, bicubic up. */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            if (image.getWidth() == width && image.getHeight() == height) {
                g.drawImage(image, 0, 0, null);
            } else if (width <= image.getWidth() && height <= image.getHeight()) {
                g.drawImage(image.getScaledInstance(width, height, Image.SCALE_AREA_AVERAGING), 0, 0, null);
            } else {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(image, 0, 0, width, height, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** RGB planes of an image, {@code [3 * h * w]} in [0, 1]. */
    public static float[] planes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int plane = w * h;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            out[i] = ((argb[i] >> 16) & 0xFF) / 255f;
            out[plane + i] = ((argb[i] >> 8) & 0xFF) / 255f;
            out[2 * plane + i] = (argb[i] & 0xFF) / 255f;
        }
        return out;
    }

    /** {@code [1, 3, h, w]} fp32 in [-1, 1], as diffusers' image processor feeds the VAE. */
    public static NDArray toTensor(NDManager manager, BufferedImage image) {
        float[] p = planes(image);
        for (int i = 0; i < p.length; i++) p[i] = p[i] * 2f - 1f;
        return manager.create(p, new Shape(1, 3, image.getHeight(), image.getWidth()));
    }

    /** Images of a {@code [B, 3, H, W]} tensor in [0, 1]: {@code round(x * 255)}, half to even, as diffusers' numpy_to_pil. */
    public static List<BufferedImage> fromTensor(NDArray images) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException("expected images [B, 3, H, W], got " + shape);
        }
        int batch = (int) shape.get(0);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        float[] values = images.toType(DataType.FLOAT32, false).toFloatArray();
        int plane = w * h;
        List<BufferedImage> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int base = b * 3 * plane;
            int[] rgb = new int[plane];
            for (int i = 0; i < plane; i++) {
                rgb[i] = (to8bit(values[base + i]) << 16) | (to8bit(values[base + plane + i]) << 8) | to8bit(values[base + 2 * plane + i]);
            }
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, w, h, rgb, 0, w);
            out.add(image);
        }
        return out;
    }

    private static int to8bit(float v) {
        float clamped = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
        return (int) Math.rint(clamped * 255f);
    }

    /**
     * The "average style image": the pixel mean of the given images, each resized to {@code width x
     * height} first, rounded to 8 bits. Used as the img2img start so every output inherits the style
     * set's palette and layout statistics.
     */
    public static BufferedImage average(List<BufferedImage> images, int width, int height) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images to average");
        double[] sum = new double[3 * width * height];
        for (BufferedImage image : images) {
            float[] p = planes(resize(image, width, height));
            for (int i = 0; i < sum.length; i++) sum[i] += p[i];
        }
        int plane = width * height;
        int[] rgb = new int[plane];
        int n = images.size();
        for (int i = 0; i < plane; i++) {
            rgb[i] = (to8bit((float) (sum[i] / n)) << 16) | (to8bit((float) (sum[plane + i] / n)) << 8)
                    | to8bit((float) (sum[2 * plane + i] / n));
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }

    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer for " + file);
    }
}

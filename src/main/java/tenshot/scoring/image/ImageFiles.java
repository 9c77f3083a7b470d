package tenshot.scoring.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads PNG and JPEG files into {@link RgbImage}s through javax.imageio, reading 8-bit samples from the
 * raster directly (BufferedImage.getRGB would push grey through a colour-space conversion and change
 * the values). EXIF orientation is not applied: the metrics see the stored pixels, as OpenCV's
 * {@code imread} with default flags on PNG and PIL's {@code open} do.
 */
public final class ImageFiles {

    private ImageFiles() {}

    public static RgbImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("image file not found: " + file);
        BufferedImage image;
        try (InputStream in = Files.newInputStream(file)) {
            image = ImageIO.read(in);
        } catch (RuntimeException e) {
            throw new IOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) throw new IOException("not a readable PNG/JPEG image: " + file);
        try {
            return toRgb(image, colorMode(image));
        } catch (RuntimeException e) {
            throw new IOException("cannot convert image " + file + " to RGB: " + e.getMessage(), e);
        }
    }

    /** PIL-style mode name of a decoded image. */
    static String colorMode(BufferedImage image) {
        if (image.getColorModel() instanceof IndexColorModel) return "P";
        int bands = image.getRaster().getNumBands();
        int bits = image.getColorModel().getComponentSize(0);
        String suffix = bits > 8 ? ";" + bits : "";
        return switch (bands) {
            case 1 -> bits == 1 ? "1" : "L" + suffix;
            case 2 -> "LA" + suffix;
            case 3 -> "RGB" + suffix;
            case 4 -> image.getColorModel().hasAlpha() ? "RGBA" + suffix : "CMYK";
            default -> bands + "-band";
        };
    }

    static RgbImage toRgb(BufferedImage image, String mode) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        Raster raster = image.getRaster();
        boolean direct = image.getColorModel() instanceof ComponentColorModel
                && raster.getTransferType() == DataBuffer.TYPE_BYTE
                && !mode.equals("CMYK");
        if (direct) {
            int bands = raster.getNumBands();
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    if (bands >= 3) {
                        rgb[o] = (byte) row[x * bands];
                        rgb[o + 1] = (byte) row[x * bands + 1];
                        rgb[o + 2] = (byte) row[x * bands + 2];
                    } else {
                        byte g = (byte) row[x * bands];
                        rgb[o] = g;
                        rgb[o + 1] = g;
                        rgb[o + 2] = g;
                    }
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) (p >> 16);
                    rgb[o + 1] = (byte) (p >> 8);
                    rgb[o + 2] = (byte) p;
                }
            }
        }
        return new RgbImage(w, h, rgb, mode);
    }
}

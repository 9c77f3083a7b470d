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
 * Reads PNG and JPEG files into {@link RgbImage}s through javax.imageio, reading samples from the
 * raster directly (BufferedImage.getRGB would push grey through a colour-space conversion and change
 * the values). Every mode converts to 8-bit RGB as {@code cv2.imread} does (see {@link #toRgb}); the
 * file's mode stays in {@link RgbImage#colorMode()} for the checks that refuse non-RGB uploads. EXIF orientation is not applied: the metrics see the stored pixels, as OpenCV's
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

    /**
     * 8-bit RGB as OpenCV's {@code imread} with default flags makes it: alpha dropped (not composited),
     * palette expanded, grey replicated, 16-bit samples cut to their high byte (libpng's
     * {@code png_set_strip_16}, which OpenCV asks for when it reads into 8 bits).
     */
    static RgbImage toRgb(BufferedImage image, String mode) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        Raster raster = image.getRaster();
        int transfer = raster.getTransferType();
        boolean direct = image.getColorModel() instanceof ComponentColorModel
                && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT)
                && !mode.equals("CMYK");
        if (direct) {
            int shift = transfer == DataBuffer.TYPE_USHORT ? 8 : 0;
            int bands = raster.getNumBands();
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    int p = x * bands;
                    for (int c = 0; c < 3; c++) rgb[o + c] = (byte) (row[bands >= 3 ? p + c : p] >>> shift);
                }
            }
        } else {
            // palettes, and ImageIO's 1/2/4-bit grey (an IndexColorModel ramp): the entry's colour, alpha aside
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

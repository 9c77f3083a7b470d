package tenshot.diffusion.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation tag (0x0112) of a JPEG (APP1 "Exif" segment) or PNG ({@code eXIf} chunk), read
 * with metadata-extractor, and the transform that makes such an image upright, as PIL's {@code ImageOps.exif_transpose} does.
 * {@code javax.imageio} ignores the tag, so photos taken on a phone would otherwise train sideways.
 */
public final class ExifOrientation {

    /** The orientation when a file has none: the pixels are already upright. */
    public static final int NORMAL = 1;

    private ExifOrientation() {}

    /** The orientation (1..8) recorded in an image file, or {@link #NORMAL} when there is none. */
    public static int read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    /**
     * The picture as it is meant to be seen, as opaque 8-bit RGB: transparency composited over white
     * (so a transparent background reads as white rather than whatever the hidden pixels hold), then
     * the orientation applied.
     */
    public static BufferedImage upright(BufferedImage decoded, int orientation) {
        return apply(flattenOverWhite(decoded), orientation);
    }

    /** An opaque RGB copy; pixels with alpha are blended over white. */
    public static BufferedImage flattenOverWhite(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) return image;
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    /**
     * The orientation (1..8) recorded in the file's bytes (JPEG APP1, PNG {@code eXIf}, or any format
     * metadata-extractor reads), or {@link #NORMAL} when there is none or the metadata is malformed.
     */
    public static int read(byte[] file) {
        Metadata metadata;
        try {
            metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(file), file.length);
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            return NORMAL; // unknown format or broken metadata: the decoder decides whether the pixels are usable
        }
        for (ExifIFD0Directory ifd0 : metadata.getDirectoriesOfType(ExifIFD0Directory.class)) {
            Integer value = ifd0.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
            if (value != null) return value >= 1 && value <= 8 ? value : NORMAL;
        }
        return NORMAL;
    }

    /** The upright image for pixels stored with {@code orientation} (a new image unless it is {@link #NORMAL}). */
    public static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation == NORMAL) return image;
        if (orientation < 1 || orientation > 8) throw new IllegalArgumentException("EXIF orientation must be 1..8: " + orientation);
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = orientation >= 5;
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }           // mirrored
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }   // upside down
                    case 4 -> { sx = x; sy = h - 1 - y; }           // mirrored vertically
                    case 5 -> { sx = y; sy = x; }                   // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; }           // stored rotated 90° counter-clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }   // transverse
                    default -> { sx = w - 1 - y; sy = x; }          // 8: stored rotated 90° clockwise
                }
                out.setRGB(x, y, image.getRGB(sx, sy));
            }
        }
        return out;
    }
}

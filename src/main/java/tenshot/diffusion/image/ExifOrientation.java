package tenshot.diffusion.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation tag (0x0112) of a JPEG (APP1 "Exif" segment) or PNG ({@code eXIf} chunk), and
 * the transform that makes such an image upright, as PIL's {@code ImageOps.exif_transpose} does.
 * {@code javax.imageio} ignores the tag, so photos taken on a phone would otherwise train sideways.
 */
public final class ExifOrientation {

    /** The orientation when a file has none: the pixels are already upright. */
    public static final int NORMAL = 1;

    private static final int ORIENTATION_TAG = 0x0112;

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

    /** The orientation (1..8) recorded in the file's bytes, or {@link #NORMAL} when there is none. */
    public static int read(byte[] file) {
        if (file.length > 4 && (file[0] & 0xFF) == 0xFF && (file[1] & 0xFF) == 0xD8) return fromJpeg(file);
        if (file.length > 8 && (file[0] & 0xFF) == 0x89 && file[1] == 'P' && file[2] == 'N' && file[3] == 'G') {
            return fromPng(file);
        }
        return NORMAL;
    }

    private static int fromJpeg(byte[] b) {
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) return NORMAL;
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) return NORMAL; // end of image, start of scan
            if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) { // markers without a length
                pos += 2;
                continue;
            }
            int length = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            int data = pos + 4;
            if (marker == 0xE1 && length >= 8 && data + 6 <= b.length
                    && b[data] == 'E' && b[data + 1] == 'x' && b[data + 2] == 'i' && b[data + 3] == 'f'
                    && b[data + 4] == 0 && b[data + 5] == 0) {
                return fromTiff(b, data + 6, Math.min(b.length, pos + 2 + length));
            }
            pos += 2 + length;
        }
        return NORMAL;
    }

    private static int fromPng(byte[] b) {
        int pos = 8;
        while (pos + 12 <= b.length) {
            int length = ByteBuffer.wrap(b, pos, 4).getInt();
            if (length < 0 || pos + 12L + length > b.length) return NORMAL;
            String type = new String(b, pos + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals("eXIf")) return fromTiff(b, pos + 8, pos + 8 + length);
            if (type.equals("IDAT") || type.equals("IEND")) return NORMAL; // eXIf must come before the image data
            pos += 12 + length;
        }
        return NORMAL;
    }

    /** Reads IFD0 of a TIFF structure in {@code b[start, end)}; malformed data counts as no orientation. */
    private static int fromTiff(byte[] b, int start, int end) {
        if (end - start < 8) return NORMAL;
        ByteOrder order;
        if (b[start] == 'I' && b[start + 1] == 'I') order = ByteOrder.LITTLE_ENDIAN;
        else if (b[start] == 'M' && b[start + 1] == 'M') order = ByteOrder.BIG_ENDIAN;
        else return NORMAL;
        ByteBuffer tiff = ByteBuffer.wrap(b, start, end - start).slice().order(order);
        if (tiff.getShort(2) != 42) return NORMAL;
        long ifd = Integer.toUnsignedLong(tiff.getInt(4));
        if (ifd + 2 > tiff.limit()) return NORMAL;
        int entries = tiff.getShort((int) ifd) & 0xFFFF;
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > tiff.limit()) return NORMAL;
            if ((tiff.getShort(entry) & 0xFFFF) == ORIENTATION_TAG) {
                int type = tiff.getShort(entry + 2) & 0xFFFF;
                int value = type == 3 ? tiff.getShort(entry + 8) & 0xFFFF : type == 4 ? tiff.getInt(entry + 8) : 0;
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
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

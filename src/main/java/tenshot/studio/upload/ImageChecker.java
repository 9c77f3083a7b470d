package tenshot.studio.upload;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import tenshot.diffusion.image.ExifOrientation;

/**
 * Decides whether a file is an image the studio accepts, by its content: the magic number says PNG
 * or JPEG, the header's dimensions are checked before any pixel is decoded (a tiny file can claim
 * 100000x100000 pixels), then the whole image is decoded, with decoder warnings (a truncated JPEG)
 * treated as errors. The result is upright (EXIF orientation applied) and opaque RGB (alpha
 * flattened onto white).
 */
public final class ImageChecker {

    public static final long MAX_BYTES = 20L * 1024 * 1024;
    public static final int MAX_SIDE = 4096;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public enum Format { PNG, JPEG }

    /**
     * An accepted image, ready to store. {@code storeAsIs} says the file is already an opaque 8-bit
     * RGB PNG, so its own bytes can be stored instead of a re-encoding.
     */
    public record Checked(BufferedImage image, Format format, boolean storeAsIs) {}

    private ImageChecker() {}

    /** Checks {@code file}; {@code name} is what error messages call it (the uploaded file name). */
    public static Checked check(Path file, String name) {
        try {
            long size = Files.size(file);
            if (size == 0) throw new UploadRejected(name, "the file is empty");
            if (size > MAX_BYTES) {
                throw new UploadRejected(name, "the file is " + size + " bytes; the limit is " + MAX_BYTES
                        + " bytes (20 MB)", 413);
            }
            byte[] head = new byte[12];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            Format format = sniff(head, n);
            if (format == null) {
                throw new UploadRejected(name, "not a PNG or JPEG image (the content does not start with a PNG or JPEG"
                        + " signature, whatever the file name or content type say)", 415);
            }
            BufferedImage decoded = decode(file, name, format);
            int orientation = format == Format.JPEG ? ExifOrientation.read(file) : ExifOrientation.NORMAL;
            boolean asIs = format == Format.PNG && decoded.getType() == BufferedImage.TYPE_3BYTE_BGR
                    && !decoded.getColorModel().hasAlpha();
            return new Checked(asIs ? decoded : toUprightRgb(decoded, orientation), format, asIs);
        } catch (IOException e) {
            throw new UploadRejected(name, "could not be read: " + e.getMessage());
        }
    }

    static Format sniff(byte[] head, int n) {
        if (n >= PNG_MAGIC.length) {
            boolean png = true;
            for (int i = 0; i < PNG_MAGIC.length; i++) png &= head[i] == PNG_MAGIC[i];
            if (png) return Format.PNG;
        }
        if (n >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return Format.JPEG;
        }
        return null;
    }

    private static BufferedImage decode(Path file, String name, Format format) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format == Format.PNG ? "png" : "jpeg");
            if (!readers.hasNext()) throw new UploadRejected(name, "no " + format + " decoder is installed", 500);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width;
                int height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new UploadRejected(name, "the " + format + " header is corrupt: " + describe(e));
                }
                if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
                    throw new UploadRejected(name, "the image is " + width + "x" + height + " pixels; each side must be"
                            + " between 1 and " + MAX_SIDE, 413);
                }
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener((source, warning) -> warnings.append(warning).append("; "));
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new UploadRejected(name, "the " + format + " data is truncated or corrupt: " + describe(e));
                }
                if (warnings.length() > 0) {
                    throw new UploadRejected(name, "the " + format + " data is truncated or corrupt: "
                            + warnings.substring(0, warnings.length() - 2));
                }
                return image;
            } finally {
                reader.dispose();
            }
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
            message = (message == null ? "" : message + ": ") + e.getCause().getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** Turns the decoded pixels upright and into opaque RGB (EXIF orientation, alpha over white). */
    static BufferedImage toUprightRgb(BufferedImage src, int orientation) {
        return ExifOrientation.upright(src, orientation);
    }
}

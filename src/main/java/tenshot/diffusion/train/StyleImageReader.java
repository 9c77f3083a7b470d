package tenshot.diffusion.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads a training image of any size and format {@code javax.imageio} knows (PNG, JPEG, BMP, GIF) as
 * upright 8-bit RGB: the EXIF orientation is applied and transparency is composited over white, so a
 * transparent background trains as white rather than as whatever colour the hidden pixels hold.
 */
public final class StyleImageReader {

    private StyleImageReader() {}

    public static BufferedImage read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read training image " + file + ": " + e.getMessage(), e);
        }
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes));
        if (decoded == null) {
            throw new IOException("training image " + file + " is not a readable PNG, JPEG, BMP or GIF");
        }
        return ExifOrientation.apply(flattenToRgb(decoded), ExifOrientation.read(bytes));
    }

    /** An opaque RGB copy; pixels with alpha are blended over white. */
    public static BufferedImage flattenToRgb(BufferedImage image) {
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
}

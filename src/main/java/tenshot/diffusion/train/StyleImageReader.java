package tenshot.diffusion.train;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import tenshot.diffusion.image.ExifOrientation;

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
        return ExifOrientation.upright(decoded, ExifOrientation.read(bytes));
    }

}

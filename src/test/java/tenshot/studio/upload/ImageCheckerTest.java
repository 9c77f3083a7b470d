package tenshot.studio.upload;

import tenshot.diffusion.image.ExifOrientation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tenshot.testing.Fixtures;

class ImageCheckerTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void acceptsAChallengeImage() {
        Path boat = Fixtures.dataset("jittor-a/00/images/boat.png");
        ImageChecker.Checked checked = ImageChecker.check(boat, "boat.png");
        assertEquals(ImageChecker.Format.PNG, checked.format());
        assertEquals(1024, checked.image().getWidth());
        assertTrue(checked.storeAsIs(), "an opaque 8-bit RGB PNG is stored with its own bytes");
    }

    @Test
    void refusesATruncatedPng() throws IOException {
        UploadRejected e = assertThrows(UploadRejected.class,
                () -> ImageChecker.check(write("cut.png", BadImages.truncatedPng()), "cut.png"));
        assertEquals("cut.png", e.subject());
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void refusesATruncatedJpeg() throws IOException {
        BufferedImage image = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(2);
        for (int y = 0; y < 128; y++) for (int x = 0; x < 128; x++) image.setRGB(x, y, random.nextInt());
        byte[] full = BadImages.jpeg(image);
        byte[] cut = java.util.Arrays.copyOf(full, full.length / 2);
        UploadRejected e = assertThrows(UploadRejected.class, () -> ImageChecker.check(write("cut.jpg", cut), "cut.jpg"));
        assertEquals("cut.jpg", e.subject());
    }

    @Test
    void refusesContentThatIsNotAnImageWhateverItsName() throws IOException {
        UploadRejected e = assertThrows(UploadRejected.class,
                () -> ImageChecker.check(write("fake.png", "GIF89a not really".getBytes()), "fake.png"));
        assertEquals(415, e.status());
        assertTrue(e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
    }

    @Test
    void refusesADecompressionBombFromItsHeaderAlone() throws IOException {
        byte[] bomb = BadImages.pngClaiming(100_000, 100_000);
        assertTrue(bomb.length < 200, "the bomb itself is tiny");
        UploadRejected e = assertThrows(UploadRejected.class, () -> ImageChecker.check(write("bomb.png", bomb), "bomb.png"));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void flattensAlphaOntoWhite() throws IOException {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00000000);
        image.setRGB(1, 0, 0xFFFF0000);
        ImageChecker.Checked checked = ImageChecker.check(write("a.png", BadImages.png(image)), "a.png");
        assertTrue(!checked.storeAsIs(), "a PNG with alpha is re-encoded flattened");
        BufferedImage out = checked.image();
        assertEquals(0xFFFFFF, out.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFF0000, out.getRGB(1, 0) & 0xFFFFFF);
    }

    /** A 4x2 picture whose only red pixel is its top-left corner, stored as each orientation wants. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void appliesExifOrientation(int orientation) throws IOException {
        int w = 64;
        int h = 32;
        // The upright picture: red block at top-left, rest blue. Build the stored pixels by the inverse of
        // each orientation: stored = how a camera would have written it.
        BufferedImage upright = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) upright.setRGB(x, y, x < 16 && y < 16 ? 0xFF0000 : 0x0000FF);
        BufferedImage stored = storedFor(upright, orientation);
        for (boolean little : new boolean[] {true, false}) {
            Path file = write("o" + orientation + little + ".jpg", BadImages.jpegWithOrientation(stored, orientation, little));
            assertEquals(orientation, ExifOrientation.read(file));
            BufferedImage out = ImageChecker.check(file, "o.jpg").image();
            assertEquals(w, out.getWidth(), "width after orientation " + orientation);
            assertEquals(h, out.getHeight());
            int topLeft = out.getRGB(4, 4);
            int bottomRight = out.getRGB(w - 5, h - 5);
            assertTrue(((topLeft >> 16) & 0xff) > 200 && (topLeft & 0xff) < 60, "top-left red for " + orientation);
            assertTrue((bottomRight & 0xff) > 200, "bottom-right blue for " + orientation);
        }
    }

    /** The pixels as stored under an orientation tag, so that applying the tag gives {@code upright}. */
    private static BufferedImage storedFor(BufferedImage upright, int orientation) {
        BufferedImage s = upright;
        // Inverse of: 2 mirror-x, 3 rot180, 4 mirror-y, 5 transpose, 6 rot90cw, 7 transverse, 8 rot270cw.
        int inverse = switch (orientation) {
            case 6 -> 8;
            case 8 -> 6;
            default -> orientation;
        };
        return ImageChecker.toUprightRgb(s, inverse);
    }

    /** EXIF 6: the stored first row is the displayed right side (turn 90° clockwise); 8 is the other way. */
    @Test
    void orientationSixAndEightTurnTheRightWay() {
        BufferedImage stored = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        stored.setRGB(0, 0, 0xFF0000);
        BufferedImage six = ImageChecker.toUprightRgb(stored, 6);
        assertEquals(2, six.getWidth());
        assertEquals(4, six.getHeight());
        assertEquals(0xFF0000, six.getRGB(1, 0) & 0xFFFFFF, "stored top-left shows at the top-right");
        BufferedImage eight = ImageChecker.toUprightRgb(stored, 8);
        assertEquals(0xFF0000, eight.getRGB(0, 3) & 0xFFFFFF, "stored top-left shows at the bottom-left");
        BufferedImage three = ImageChecker.toUprightRgb(stored, 3);
        assertEquals(0xFF0000, three.getRGB(3, 1) & 0xFFFFFF);
    }

    @Test
    void readsNoOrientationFromAPlainJpeg() throws IOException {
        Path file = write("p.jpg", BadImages.jpeg(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)));
        assertEquals(1, ExifOrientation.read(file));
    }
}

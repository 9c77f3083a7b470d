package tenshot.scoring.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real PNG files of every colour type and bit depth read as {@code cv2.imread(path)} reads them (then
 * BGR→RGB): alpha dropped without compositing, palette expanded, grey replicated, 16-bit samples cut
 * to their high byte. Random samples, alpha included, so a composited or rescaled pixel shows.
 */
class ImageFilesTest {

    private static final int W = 23;
    private static final int H = 17;

    @TempDir
    Path tmp;

    private final Random random = new Random(16);

    @Test
    void rgbaDropsAlphaWithoutCompositing() throws IOException {
        check(component(ColorSpace.CS_sRGB, true, DataBuffer.TYPE_BYTE), "rgba8.png", 8, 6, "RGBA");
    }

    @Test
    void greyIsReplicated() throws IOException {
        check(component(ColorSpace.CS_GRAY, false, DataBuffer.TYPE_BYTE), "l8.png", 8, 0, "L");
        check(component(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_BYTE), "la8.png", 8, 4, "LA");
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() throws IOException {
        check(component(ColorSpace.CS_sRGB, false, DataBuffer.TYPE_USHORT), "rgb16.png", 16, 2, "RGB;16");
        check(component(ColorSpace.CS_sRGB, true, DataBuffer.TYPE_USHORT), "rgba16.png", 16, 6, "RGBA;16");
        check(component(ColorSpace.CS_GRAY, false, DataBuffer.TYPE_USHORT), "l16.png", 16, 0, "L;16");
        check(component(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_USHORT), "la16.png", 16, 4, "LA;16");
    }

    @Test
    void paletteIsExpandedAndItsTransparencyIgnored() throws IOException {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        byte[] a = new byte[256];
        random.nextBytes(r);
        random.nextBytes(g);
        random.nextBytes(b);
        random.nextBytes(a);
        IndexColorModel palette = new IndexColorModel(8, 256, r, g, b, a);
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, palette);
        fill(image.getRaster(), 256);
        byte[] expected = new byte[W * H * 3];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {
            int i = image.getRaster().getSample(x, y, 0);
            int o = (y * W + x) * 3;
            expected[o] = r[i];
            expected[o + 1] = g[i];
            expected[o + 2] = b[i];
        }
        RgbImage read = write(image, "p8.png", 8, 3);
        assertArrayEquals(expected, read.rgb());
        assertEquals("P", read.colorMode());
    }

    @Test
    void oneBitGreyExpandsToBlackAndWhite() throws IOException {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY);
        fill(image.getRaster(), 2);
        byte[] expected = new byte[W * H * 3];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {
            byte v = (byte) (image.getRaster().getSample(x, y, 0) == 1 ? 255 : 0);
            for (int c = 0; c < 3; c++) expected[(y * W + x) * 3 + c] = v;
        }
        Path file = tmp.resolve("l1.png");
        ImageIO.write(image, "png", file.toFile());
        assertEquals(1, ihdr(file)[0], "bit depth");
        assertArrayEquals(expected, ImageFiles.read(file).rgb());
    }

    private BufferedImage component(int colorSpace, boolean alpha, int dataType) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(colorSpace), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
        WritableRaster raster = model.createCompatibleWritableRaster(W, H);
        fill(raster, dataType == DataBuffer.TYPE_USHORT ? 65536 : 256);
        return new BufferedImage(model, raster, false, null);
    }

    private void fill(WritableRaster raster, int levels) {
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) for (int band = 0; band < raster.getNumBands(); band++) {
            raster.setSample(x, y, band, random.nextInt(levels));
        }
    }

    /** Writes, reads back with ImageFiles, and compares with the cv2 rule applied to the written samples. */
    private void check(BufferedImage image, String name, int bitDepth, int colorType, String mode) throws IOException {
        WritableRaster raster = image.getRaster();
        int shift = bitDepth - 8;
        int bands = raster.getNumBands();
        byte[] expected = new byte[W * H * 3];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) for (int c = 0; c < 3; c++) {
            expected[(y * W + x) * 3 + c] = (byte) (raster.getSample(x, y, bands >= 3 ? c : 0) >> shift);
        }
        RgbImage read = write(image, name, bitDepth, colorType);
        assertArrayEquals(expected, read.rgb(), name);
        assertEquals(mode, read.colorMode(), name);
    }

    private RgbImage write(BufferedImage image, String name, int bitDepth, int colorType) throws IOException {
        Path file = tmp.resolve(name);
        if (!ImageIO.write(image, "png", file.toFile())) throw new IllegalStateException("no PNG writer for " + name);
        int[] header = ihdr(file);
        assertEquals(bitDepth, header[0], name + ": bit depth of the written file");
        assertEquals(colorType, header[1], name + ": PNG colour type of the written file");
        return ImageFiles.read(file);
    }

    /** Bit depth and colour type from the file's IHDR chunk (bytes 24 and 25). */
    private static int[] ihdr(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(26);
            return new int[] {head[24] & 0xFF, head[25] & 0xFF};
        }
    }
}

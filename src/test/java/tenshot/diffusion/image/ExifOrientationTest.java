package tenshot.diffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The orientation of a PNG's {@code eXIf} chunk (JPEG APP1 is covered by ImageCheckerTest and DataPipelineTest). */
class ExifOrientationTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 8})
    void readsThePngExifChunkInBothByteOrders(int orientation) throws IOException {
        byte[] png = png();
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(png));
        assertEquals(orientation, ExifOrientation.read(withExif(png, tiff(orientation, ByteOrder.LITTLE_ENDIAN))));
        assertEquals(orientation, ExifOrientation.read(withExif(png, tiff(orientation, ByteOrder.BIG_ENDIAN))));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9, 300})
    void anOutOfRangeOrMalformedTagCountsAsUpright(int orientation) throws IOException {
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(withExif(png(), tiff(orientation, ByteOrder.BIG_ENDIAN))));
        byte[] truncated = new byte[10];
        System.arraycopy(tiff(6, ByteOrder.BIG_ENDIAN), 0, truncated, 0, 10);
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(withExif(png(), truncated)));
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read("not an image".getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] png() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    /** A TIFF header and IFD0 with one SHORT entry: the orientation tag. */
    private static byte[] tiff(int orientation, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(26).order(order);
        b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M').put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    /** The PNG with an {@code eXIf} chunk right after IHDR (the chunk must precede IDAT). */
    private static byte[] withExif(byte[] png, byte[] exif) {
        int afterIhdr = 8 + 12 + 13;
        ByteBuffer chunk = ByteBuffer.allocate(12 + exif.length);
        chunk.putInt(exif.length).put("eXIf".getBytes(StandardCharsets.US_ASCII)).put(exif);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + exif.length);
        chunk.putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.writeBytes(chunk.array());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }
}

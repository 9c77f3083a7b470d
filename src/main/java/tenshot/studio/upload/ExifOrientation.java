package tenshot.studio.upload;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the EXIF orientation tag (0x0112) from a JPEG's APP1 segment; javax.imageio ignores it.
 * Returns 1 (upright) when there is no EXIF block or it cannot be understood.
 */
final class ExifOrientation {

    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {}

    static int read(Path jpeg) throws IOException {
        try (InputStream raw = Files.newInputStream(jpeg)) {
            return read(new DataInputStream(new java.io.BufferedInputStream(raw)));
        } catch (EOFException e) {
            return 1;
        }
    }

    private static int read(DataInputStream in) throws IOException {
        if (in.readUnsignedShort() != 0xFFD8) return 1;
        while (true) {
            int marker = in.readUnsignedShort();
            if ((marker & 0xFF00) != 0xFF00) return 1;
            if (marker == 0xFFDA || marker == 0xFFD9) return 1; // image data starts: no EXIF before it
            int length = in.readUnsignedShort() - 2;
            if (length < 0) return 1;
            if (marker == 0xFFE1 && length >= 14) {
                byte[] segment = new byte[length];
                in.readFully(segment);
                int orientation = fromApp1(segment);
                if (orientation != 0) return orientation;
            } else {
                in.skipNBytes(length);
            }
        }
    }

    /** The orientation in an APP1 payload ("Exif\0\0" + TIFF), or 0 when it has none. */
    static int fromApp1(byte[] s) {
        if (!(s[0] == 'E' && s[1] == 'x' && s[2] == 'i' && s[3] == 'f' && s[4] == 0 && s[5] == 0)) return 0;
        int tiff = 6;
        boolean little;
        if (s[tiff] == 'I' && s[tiff + 1] == 'I') little = true;
        else if (s[tiff] == 'M' && s[tiff + 1] == 'M') little = false;
        else return 0;
        if (u16(s, tiff + 2, little) != 42) return 0;
        long ifd = u32(s, tiff + 4, little);
        int at = tiff + (int) ifd;
        if (ifd < 8 || at + 2 > s.length) return 0;
        int entries = u16(s, at, little);
        for (int i = 0; i < entries; i++) {
            int e = at + 2 + 12 * i;
            if (e + 12 > s.length) return 0;
            if (u16(s, e, little) == TAG_ORIENTATION) {
                int value = u16(s, e + 8, little); // type SHORT, count 1: the value sits in the entry
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int u16(byte[] s, int at, boolean little) {
        int a = s[at] & 0xff;
        int b = s[at + 1] & 0xff;
        return little ? a | b << 8 : a << 8 | b;
    }

    private static long u32(byte[] s, int at, boolean little) {
        long a = u16(s, at, little);
        long b = u16(s, at + 2, little);
        return little ? a | b << 16 : a << 16 | b;
    }
}

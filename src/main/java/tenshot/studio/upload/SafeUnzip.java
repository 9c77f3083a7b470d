package tenshot.studio.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Unpacks an uploaded zip into an empty folder, refusing what could escape it or blow it up: entry
 * names with '..', absolute paths or backslashes, symbolic links, too many entries, and entries or
 * totals larger than the limits. Sizes are counted on the bytes actually inflated, not on what the
 * headers claim.
 */
public final class SafeUnzip {

    public static final int MAX_ENTRIES = 2000;
    public static final long MAX_ENTRY_BYTES = ImageChecker.MAX_BYTES;
    public static final long MAX_TOTAL_BYTES = 2L * 1024 * 1024 * 1024;

    private SafeUnzip() {}

    public static void unzip(Path zip, Path into) {
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            int count = 0;
            long total = 0;
            for (Enumeration<ZipArchiveEntry> entries = file.getEntries(); entries.hasMoreElements(); ) {
                ZipArchiveEntry entry = entries.nextElement();
                String name = entry.getName();
                if (++count > MAX_ENTRIES) {
                    throw new UploadRejected("archive", "more than " + MAX_ENTRIES + " entries", 413);
                }
                checkEntryName(name);
                if (entry.isUnixSymlink()) throw new UploadRejected(name, "symbolic links are refused in archives");
                if (name.startsWith("__MACOSX/")) continue;
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) throw new UploadRejected(name, "the entry would be written outside the archive folder");
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                long written = 0;
                try (InputStream in = file.getInputStream(entry); OutputStream out = Files.newOutputStream(target)) {
                    byte[] buffer = new byte[65536];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        written += n;
                        total += n;
                        if (written > MAX_ENTRY_BYTES) {
                            throw new UploadRejected(name, "the entry inflates to more than " + MAX_ENTRY_BYTES + " bytes", 413);
                        }
                        if (total > MAX_TOTAL_BYTES) {
                            throw new UploadRejected("archive", "the archive inflates to more than " + MAX_TOTAL_BYTES + " bytes", 413);
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UploadRejected("archive", "not a readable zip file: " + e.getMessage());
        }
    }

    static void checkEntryName(String name) {
        if (name.isEmpty()) throw new UploadRejected("archive", "an entry has an empty name");
        if (name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new UploadRejected(name, "absolute paths and backslashes are refused in archive entries");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) throw new UploadRejected(name, "'..' in an archive entry (path traversal)");
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20) throw new UploadRejected(name, "control character in an archive entry name");
        }
    }

}

package tenshot.scoring.submission;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Unpacks an uploaded zip into a folder, refusing entries that escape it and oversized archives. */
public final class SubmissionArchive {

    private SubmissionArchive() {}

    /**
     * Extracts {@code zip} into {@code target}. A single top-level folder that wraps the {@code NN/}
     * folders is unwrapped: the returned path is the folder that holds them.
     */
    public static Path extract(Path zip, Path target, long maxBytes) throws IOException {
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        long total = 0;
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName();
                if (name.startsWith("__MACOSX/") || name.endsWith(".DS_Store")) continue;
                Path out = root.resolve(name).normalize();
                if (!out.startsWith(root)) throw new IOException("zip entry escapes the upload folder: " + name);
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                total += Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                if (total > maxBytes) throw new IOException("zip " + zip + " unpacks to more than " + maxBytes + " bytes");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read zip " + zip + ": " + e.getMessage(), e);
        }
        try (var s = Files.list(root)) {
            var entries = s.toList();
            if (entries.size() == 1 && Files.isDirectory(entries.get(0))
                    && !entries.get(0).getFileName().toString().matches("\\d+")) {
                return entries.get(0);
            }
        }
        return root;
    }
}

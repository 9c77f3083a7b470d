package tenshot.studio.upload;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import tenshot.store.ArtifactStore;

/**
 * Checks an uploaded style set completely, then writes its images into the artifact store. Nothing
 * is written unless every file and field passed, and a failure half way through the writes removes
 * what was written. Blocking: call it off the event loop.
 */
public final class StyleSetPreparer {

    public static final int MAX_IMAGES = 50;

    private final ArtifactStore store;

    public StyleSetPreparer(ArtifactStore store) {
        this.store = store;
    }

    public PreparedStyleSet prepare(String name, String styleId, List<IncomingFile> files, List<String> prompts) {
        Names.checkFileName(name, "name");
        Names.checkStyleId(styleId, "styleId");
        if (files.isEmpty()) throw new UploadRejected("images", "no images: a style set needs 1 to " + MAX_IMAGES);
        if (files.size() > MAX_IMAGES) {
            throw new UploadRejected("images", files.size() + " images; a style set takes 1 to " + MAX_IMAGES, 413);
        }
        Map<String, String> seen = new HashMap<>();
        List<String> objectNames = new ArrayList<>();
        for (IncomingFile f : files) {
            String objectName = Names.objectName(f.fileName());
            String other = seen.put(Names.sameKey(objectName), f.fileName());
            if (other != null) {
                throw new UploadRejected(f.fileName(), "shows the same object \"" + objectName + "\" as " + other
                        + " (object names come from file names and must differ)");
            }
            objectNames.add(objectName);
        }
        Path staging;
        try {
            staging = Files.createTempDirectory("tenshot-upload-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory", e);
        }
        String prefix = "stylesets/" + UUID.randomUUID() + "/";
        List<PreparedStyleSet.Image> images = new ArrayList<>();
        try {
            List<Path> pngs = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                IncomingFile f = files.get(i);
                ImageChecker.Checked checked = ImageChecker.check(f.file(), f.fileName());
                BufferedImage image = checked.image();
                Path png = staging.resolve(i + ".png");
                if (checked.storeAsIs()) {
                    Files.copy(f.file(), png);
                } else if (!ImageIO.write(image, "png", png.toFile())) {
                    throw new IOException("no PNG encoder");
                }
                pngs.add(png);
                images.add(new PreparedStyleSet.Image(objectNames.get(i), f.fileName(),
                        prefix + "images/" + objectNames.get(i) + ".png", image.getWidth(), image.getHeight(),
                        sha256(png)));
            }
            try {
                for (int i = 0; i < images.size(); i++) store.put(images.get(i).artifactKey(), pngs.get(i));
            } catch (IOException | RuntimeException e) {
                discard(prefix);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("storing the style set failed", e);
        } finally {
            deleteTree(staging);
        }
        return new PreparedStyleSet(name, styleId, List.copyOf(prompts), prefix, images);
    }

    /** Removes the stored images of a set whose rows could not be inserted. */
    public void discard(String prefix) {
        try {
            store.deleteAll(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + prefix + " after a failed upload", e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}

package tenshot.studio.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder in the challenge's layout: one folder per style ({@code 00/}, {@code 01/}, ...), each with
 * {@code images/*} and {@code prompt.json}. The folder may also be a single style folder itself.
 */
public final class ChallengeFolder {

    /** One style found in the folder, not yet checked beyond its layout. */
    public record Style(String styleId, List<IncomingFile> images, byte[] promptJson) {}

    private ChallengeFolder() {}

    public static List<Style> read(Path root) {
        try {
            if (isStyle(root)) return List.of(style(root));
            List<Style> styles = new ArrayList<>();
            List<Path> children;
            try (Stream<Path> list = Files.list(root)) {
                children = list.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            }
            for (Path child : children) {
                if (isStyle(child)) styles.add(style(child));
            }
            if (styles.isEmpty() && children.size() == 1) return read(children.get(0)); // one wrapping folder
            if (styles.isEmpty()) {
                throw new UploadRejected("archive", "no style folder found: expected NN/prompt.json and NN/images/*");
            }
            return styles;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the challenge folder " + root, e);
        }
    }

    private static boolean isStyle(Path dir) {
        return Files.isRegularFile(dir.resolve("prompt.json"), LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(dir.resolve("images"), LinkOption.NOFOLLOW_LINKS);
    }

    private static Style style(Path dir) throws IOException {
        String styleId = dir.getFileName().toString();
        Names.checkStyleId(styleId, styleId + "/");
        Path promptFile = dir.resolve("prompt.json");
        if (!Files.isRegularFile(promptFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new UploadRejected(styleId + "/prompt.json", "missing");
        }
        if (Files.size(promptFile) > PromptList.MAX_JSON_BYTES) {
            throw new UploadRejected(styleId + "/prompt.json", "the prompt list is " + Files.size(promptFile)
                    + " bytes; the limit is " + PromptList.MAX_JSON_BYTES + " bytes", 413);
        }
        Path imageDir = dir.resolve("images");
        if (!Files.isDirectory(imageDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UploadRejected(styleId + "/images/", "missing");
        }
        List<IncomingFile> images = new ArrayList<>();
        try (Stream<Path> list = Files.list(imageDir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) continue; // .DS_Store and friends
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new UploadRejected(styleId + "/images/" + name, "not a regular file (links and folders are refused)");
                }
                images.add(new IncomingFile(name, p));
            }
        }
        return new Style(styleId, images, Files.readAllBytes(promptFile));
    }
}

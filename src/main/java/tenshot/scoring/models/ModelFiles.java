package tenshot.scoring.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finding the weight files of a model folder, with errors that say what was expected. */
final class ModelFiles {

    private ModelFiles() {}

    /** The single {@code .pth} (or {@code .pt}) file of {@code dir}. */
    static Path pth(Path dir) throws IOException {
        List<Path> files = allPth(dir);
        if (files.size() > 1) throw new IOException(dir + " holds several .pth files " + files + "; keep one");
        return files.get(0);
    }

    /** Every {@code .pth}/{@code .pt} file of {@code dir}, sorted; at least one. */
    static List<Path> allPth(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("model folder " + dir + " not found");
        try (Stream<Path> s = Files.list(dir)) {
            var files = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".pth") || n.endsWith(".pt");
            }).sorted().toList();
            if (files.isEmpty()) throw new IOException(dir + " holds neither weights.safetensors nor a .pth file");
            return files;
        }
    }
}

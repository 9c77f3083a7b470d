package tenshot.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures one fault test measured, written to {@code target/reliability/<family>.tsv} (one
 * {@code figure<TAB>value} line each, in the order recorded) for {@code tools/reliability/report}.
 * Each figure is written as soon as it is known, so a test that fails still leaves what it measured.
 */
final class Figures {

    static final Path FOLDER = Path.of("target/reliability");

    private final Path file;
    private final List<String> lines = new ArrayList<>();

    Figures(String family) throws IOException {
        Files.createDirectories(FOLDER);
        this.file = FOLDER.resolve(family + ".tsv");
        Files.deleteIfExists(file);
    }

    void put(String figure, Object value) throws IOException {
        lines.add(figure.replace('\t', ' ') + "\t" + String.valueOf(value).replace('\t', ' ').replace('\n', ' '));
        Files.write(file, lines);
    }
}

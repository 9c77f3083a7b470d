package tenshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine and the metrics are plain DJL libraries: no service framework may leak into them. */
class PackageBoundaryTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.quarkus|jakarta\\.|io\\.vertx|org\\.hibernate|io\\.smallrye|tenshot\\.(studio|queue|worker|store))",
            Pattern.MULTILINE);

    @ParameterizedTest
    @ValueSource(strings = {"diffusion", "scoring"})
    void pureDjlPackagesImportNoServiceFramework(String pkg) throws IOException {
        Path root = Path.of("src/main/java/tenshot", pkg);
        assertTrue(Files.isDirectory(root), "package folder missing: " + root);
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                var m = FORBIDDEN.matcher(Files.readString(file));
                while (m.find()) offenders.add(root.relativize(file) + ": " + m.group());
            }
        }
        assertTrue(offenders.isEmpty(), "forbidden imports in " + pkg + ": " + offenders);
    }
}

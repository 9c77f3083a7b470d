package tenshot.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.studio.api.ApiException;

/** Server-side imports stay below the import root, whatever the path or its links say. */
class ImportRootTest {

    @TempDir
    Path dir;

    @Test
    void resolvesFoldersBelowTheRootOnly() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path challenge = Files.createDirectories(root.resolve("jittor-a"));
        Files.createDirectories(dir.resolve("secret"));
        Files.createSymbolicLink(root.resolve("escape"), dir.resolve("secret"));
        assertEquals(challenge.toRealPath(), StyleSets.resolveUnder(root, "jittor-a"));
        for (String bad : new String[] {"../secret", "jittor-a/../../secret", "/etc", "escape", "missing", ""}) {
            ApiException e = assertThrows(ApiException.class, () -> StyleSets.resolveUnder(root, bad), bad);
            assertEquals("path", e.subject());
        }
    }
}

package tenshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest extends ArtifactStoreContract {

    @TempDir
    Path dir;

    @Override
    ArtifactStore newStore() throws Exception {
        return new LocalArtifactStore(dir.resolve("artifacts"));
    }

    @Override
    ArtifactStore sameStoreAgain() throws Exception {
        return new LocalArtifactStore(dir.resolve("artifacts"));
    }

    @Test
    void abandonedWritesLeaveNoTempFiles() throws Exception {
        try (ArtifactStore.PendingWrite write = store.begin("runs/1/a")) {
            write.stream().write(random(100, 1));
        }
        try (Stream<Path> temps = Files.list(dir.resolve("artifacts/.tmp"))) {
            assertEquals(0, temps.count());
        }
    }
}

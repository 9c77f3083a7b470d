package tenshot.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The deployment's artifact store: a directory under {@code tenshot.data-dir}. */
@ApplicationScoped
public class ArtifactStoreProducer {

    @ConfigProperty(name = "tenshot.data-dir", defaultValue = "./data")
    Path dataDir;

    @Produces
    @Singleton
    ArtifactStore artifactStore() {
        try {
            return new LocalArtifactStore(dataDir.resolve("artifacts"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact store under " + dataDir.toAbsolutePath(), e);
        }
    }
}

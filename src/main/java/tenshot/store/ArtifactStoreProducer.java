package tenshot.store;

import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The deployment's artifact store, chosen by {@code tenshot.store}: {@code local} (a directory under
 * {@code tenshot.data-dir}, shared between hosts only through a shared file system) or {@code s3} (a bucket;
 * credentials and, unless configured, the region come from the usual AWS variables and profiles).
 */
@ApplicationScoped
public class ArtifactStoreProducer {

    @ConfigProperty(name = "tenshot.data-dir", defaultValue = "./data")
    Path dataDir;

    @ConfigProperty(name = "tenshot.store", defaultValue = "local")
    String kind;

    @ConfigProperty(name = "tenshot.store.s3.bucket")
    Optional<String> bucket;

    @ConfigProperty(name = "tenshot.store.s3.endpoint")
    Optional<URI> endpoint;

    @ConfigProperty(name = "tenshot.store.s3.region")
    Optional<String> region;

    @ConfigProperty(name = "tenshot.store.s3.path-style", defaultValue = "false")
    boolean pathStyle;

    @ConfigProperty(name = "tenshot.store.s3.prefix")
    Optional<String> prefix;

    @ConfigProperty(name = "tenshot.store.s3.part-size", defaultValue = "16M")
    MemorySize partSize;

    @Produces
    @Singleton
    ArtifactStore artifactStore() {
        return switch (kind) {
            case "local" -> local();
            case "s3" -> s3();
            default -> throw new IllegalArgumentException("tenshot.store must be 'local' or 's3', was '" + kind + "'");
        };
    }

    void close(@Disposes ArtifactStore store) {
        if (store instanceof S3ArtifactStore s3) s3.close();
    }

    private ArtifactStore local() {
        try {
            return new LocalArtifactStore(dataDir.resolve("artifacts"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact store under " + dataDir.toAbsolutePath(), e);
        }
    }

    private ArtifactStore s3() {
        String name = bucket.filter(b -> !b.isBlank()).orElseThrow(() ->
                new IllegalArgumentException("tenshot.store=s3 needs tenshot.store.s3.bucket (TENSHOT_STORE_S3_BUCKET)"));
        long part = partSize.asLongValue();
        if (part < S3ArtifactStore.MIN_PART_SIZE || part > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tenshot.store.s3.part-size must be between 5M and 2G, was " + partSize);
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region())
                .forcePathStyle(pathStyle);
        endpoint.ifPresent(uri -> {
            builder.endpointOverride(uri);
            // S3-compatible servers differ in which of the SDK's default integrity checksums they accept
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
            builder.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        });
        return new S3ArtifactStore(builder.build(), name, prefix.orElse(""), (int) part);
    }

    private Region region() {
        if (region.isPresent() && !region.get().isBlank()) return Region.of(region.get());
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            // an S3-compatible server at its own endpoint usually ignores the region, but the SDK signs with one
            if (endpoint.isPresent()) return Region.US_EAST_1;
            throw new IllegalArgumentException("tenshot.store=s3 needs a region: set tenshot.store.s3.region "
                    + "(TENSHOT_STORE_S3_REGION) or AWS_REGION", e);
        }
    }
}

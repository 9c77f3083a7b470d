package tenshot.studio.limits;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Limits on the shape of JSON the studio reads from clients: nesting depth, string, number and name
 * lengths (Jackson's StreamReadConstraints), for the REST layer's ObjectMapper. Readers of user JSON
 * outside REST (prompt lists) use {@link #DEFAULTS}, the same values as the default configuration.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    public static final StreamReadConstraints DEFAULTS = StreamReadConstraints.builder()
            .maxNestingDepth(64).maxStringLength(262_144).maxNumberLength(100).maxNameLength(1000).build();

    @Inject
    LimitsConfig config;

    @Override
    public void customize(ObjectMapper mapper) {
        LimitsConfig.Json json = config.json();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(json.maxDepth())
                .maxStringLength(json.maxStringLength())
                .maxNumberLength(json.maxNumberLength())
                .maxNameLength(json.maxNameLength())
                .build());
    }

    /** {@code mapper} with the default limits; for mappers that read client JSON outside the REST layer. */
    public static ObjectMapper limited(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(DEFAULTS);
        return mapper;
    }
}

package tenshot.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tenshot.testing.Fixtures;

/** The metric fixtures' manifest: names like {@code ref/boat.png} resolved to files under ../shared. */
public final class MetricFixtures {

    private MetricFixtures() {}

    public static JsonNode json(String file) {
        try {
            return new ObjectMapper().readTree(Fixtures.metrics(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path image(String name) {
        if (name.startsWith("ref/")) return Fixtures.dataset("jittor-a/00/images/" + name.substring(4));
        if (name.startsWith("gen/")) return Fixtures.dataset("jittor-a/01/images/" + name.substring(4));
        if (name.startsWith("synthetic/")) return Fixtures.metrics("images/" + name.substring(10));
        throw new IllegalArgumentException("unknown manifest image " + name);
    }

    public static List<String> names(String group) {
        List<String> out = new ArrayList<>();
        json("manifest.json").get(group).forEach(n -> out.add(n.asText()));
        return out;
    }
}

package tenshot.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared fixtures and datasets that live beside the repository in {@code ../shared}.
 * They are never committed. When one is absent, a developer's run skips the test that needs it, with
 * a message that says why; under CI ({@code CI=true}, which {@code .ci/run} sets) or with
 * {@code -Dtenshot.fixtures.required=true} the test fails instead, so a release gate can never pass
 * by running nothing.
 */
public final class Fixtures {

    private Fixtures() {}

    /** The shared folder: {@code TENSHOT_SHARED} if set, else {@code ../shared} from the repo root. */
    public static Path sharedRoot() {
        String env = System.getenv("TENSHOT_SHARED");
        return (env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared")).toAbsolutePath().normalize();
    }

    /** A path under {@code ../shared}; when it does not exist, fails the calling test under CI and skips it elsewhere. */
    public static Path shared(String relative) {
        Path path = sharedRoot().resolve(relative);
        if (!Files.exists(path)) {
            String why = "shared fixture " + path + " is absent (tests read ../shared beside the repository; set TENSHOT_SHARED"
                    + " to move it)";
            if (required()) throw new IllegalStateException(why + "; under CI every fixture must be there");
            assumeTrue(false, "skipped: " + why);
        }
        return path;
    }

    /** Whether a missing fixture is a failure: under CI, or when the run is a release gate. */
    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("tenshot.fixtures.required");
    }

    public static Path tinySd21() {
        return shared("fixtures/tiny-sd21");
    }

    public static Path golden(String file) {
        return shared("fixtures/golden/" + file);
    }

    public static Path metrics(String file) {
        return shared("fixtures/metrics/" + file);
    }

    /**
     * Lays out a metric models directory in {@code dir} as a user would (one folder per model, the CLIP-R
     * candidates), linking the tiny fixture models of ../shared.
     */
    public static Path metricModels(Path dir) throws java.io.IOException {
        for (String m : java.util.List.of(tenshot.scoring.ModelDirectory.DINO, tenshot.scoring.ModelDirectory.CLIP,
                tenshot.scoring.ModelDirectory.LPIPS, tenshot.scoring.ModelDirectory.FID, tenshot.scoring.ModelDirectory.CLIP_IQA)) {
            java.nio.file.Files.createSymbolicLink(dir.resolve(m), metrics(m));
        }
        java.nio.file.Files.createSymbolicLink(dir.resolve(tenshot.scoring.ModelDirectory.CLIP_R_CANDIDATES), dataset("clip_r_candidates.txt"));
        return dir;
    }

    public static Path dataset(String relative) {
        return shared("datasets/" + relative);
    }

    /** A small style folder at {@code dir}: two images of A board style 00 (boat, cypress tree), no prompts. */
    public static Path twoImageStyle(Path dir) throws java.io.IOException {
        Path images = dataset("jittor-a/00/images");
        java.nio.file.Files.createDirectories(dir.resolve("images"));
        for (String name : java.util.List.of("boat.png", "cypress_tree.png")) {
            java.nio.file.Files.copy(images.resolve(name), dir.resolve("images").resolve(name));
        }
        return dir;
    }
}

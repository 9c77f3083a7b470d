package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.store.ArtifactStore;
import tenshot.store.BaseModelCache;
import tenshot.store.S3StoreProfile;
import tenshot.studio.BaseModels;
import tenshot.testing.Fixtures;
import tenshot.worker.JobContext;
import tenshot.worker.ModelCache;

/**
 * On the S3 store: a board's TRAIN attempt on one host is cancelled mid-training, and a second attempt
 * on another host (another scratch folder, nothing shared but the bucket) resumes every style from the
 * checkpoints the first one mirrored to the bucket. The base model itself comes from the bucket
 * ({@code models/<name>/}) into the workers' model cache.
 */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class BoardCheckpointsInStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEPS = 4;
    private static final long RUN = 9101;

    @Inject
    TrainHandler train;

    @Inject
    ArtifactStore store;

    @Inject
    BaseModels models;

    @TempDir
    Path hosts;

    @Test
    void aBoardResumesEveryStyleOnAnotherHostFromTheBucket() throws Exception {
        // the demo model, as an operator would upload it to the bucket
        Path demo = models.demoPath();
        try (Stream<Path> files = Files.walk(demo)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                store.put(BaseModelCache.PREFIX + "bucket-demo/" + demo.relativize(file).toString().replace('\\', '/'), file);
            }
        }
        assertTrue(models.list().stream().anyMatch(m -> m.id().equals("bucket-demo") && m.installed()), "the bucket's model is listed");

        List<BoardSpec.Style> styles = new ArrayList<>();
        for (String styleId : List.of("00", "01")) styles.add(style(styleId));
        String recipe = TrainingRecipe.preset("baseline").with(Map.of("steps", STEPS, "resolution", 64, "checkpointEvery", 1,
                "previewEvery", 0)).toJson();
        JsonNode payload = JSON.valueToTree(new BoardSpec(RUN, "bucket-demo", recipe, "official", styles));

        // host A: cancelled once both styles have done two steps (board progress counts style-steps)
        Context hostA = new Context(payload, hosts.resolve("host-a"), report ->
                "training".equals(report.phase()) && report.step() >= 2 * styles.size());
        assertThrows(StepListener.Cancelled.class, () -> train.run(hostA));
        BoardSpec spec = JSON.treeToValue(payload, BoardSpec.class);
        for (BoardSpec.Style style : styles) {
            List<String> states = store.list(spec.checkpointPrefix(style)).stream().filter(k -> k.endsWith("/state.json")).toList();
            assertTrue(!states.isEmpty(), "style " + style.styleId() + "'s checkpoints are in the bucket: "
                    + store.list(spec.checkpointPrefix(style)));
        }

        // host B: an empty disk; what it resumes from can only come from the bucket
        Context hostB = new Context(payload, hosts.resolve("host-b"), report -> false);
        JsonNode result = JSON.valueToTree(train.run(hostB));
        for (int i = 0; i < styles.size(); i++) {
            JsonNode style = result.path("styles").get(i);
            assertEquals(STEPS, style.path("steps").asInt(), style.toString());
            int resumedFrom = style.path("resumedFrom").asInt();
            assertTrue(resumedFrom >= 2 && resumedFrom < STEPS, "style " + i + " resumed from its stored checkpoint: " + result);
            assertTrue(store.exists(spec.loraKey(styles.get(i))));
            assertEquals(List.of(), store.list(spec.checkpointPrefix(styles.get(i))), "checkpoints are deleted once the LoRAs are stored");
        }
    }

    private BoardSpec.Style style(String styleId) throws Exception {
        Path dir = Fixtures.dataset("jittor-a/" + styleId).resolve("images");
        List<RunSpec.StyleImageRef> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path image : files.sorted().limit(2).toList()) {
                String object = image.getFileName().toString().replaceFirst("\\.png$", "");
                String key = "stylesets/board-test-" + styleId + "/images/" + object + ".png";
                store.put(key, image);
                images.add(new RunSpec.StyleImageRef(object, key));
            }
        }
        return new BoardSpec.Style(Long.parseLong(styleId) + 1, styleId, images, List.of("Dolphin"), null);
    }

    /** One attempt on one host: its own scratch folder; cancels when {@code cancelAt} says so. */
    private static final class Context implements JobContext {
        private final JsonNode payload;
        private final Path scratch;
        private final java.util.function.Predicate<tenshot.diffusion.StepReport> cancelAt;
        private final ModelCache cache = new ModelCache(1);

        Context(JsonNode payload, Path scratch, java.util.function.Predicate<tenshot.diffusion.StepReport> cancelAt) {
            this.payload = payload;
            this.scratch = scratch;
            this.cancelAt = cancelAt;
        }

        @Override public long jobId() { return 1; }
        @Override public String kind() { return JobKinds.TRAIN; }
        @Override public Long runId() { return RUN; }
        @Override public String team() { return "board-test"; }
        @Override public int attempt() { return 1; }
        @Override public JsonNode payload() { return payload; }

        @Override
        public <T> T payload(Class<T> type) {
            return JSON.convertValue(payload, type);
        }

        @Override public EngineDevice device() { return EngineDevice.cpu(); }
        @Override public String workerId() { return "test"; }

        @Override
        public tenshot.worker.JobProgress progress() {
            return new tenshot.worker.JobProgress() {
                @Override
                public void onStep(tenshot.diffusion.StepReport report) {
                    if (cancelAt.test(report)) throw new StepListener.Cancelled("host lost");
                }

                @Override
                public void onStep(tenshot.diffusion.StepReport whole, List<Part> parts) {
                    onStep(whole);
                }
            };
        }

        @Override public void checkCancelled() {}
        @Override public Optional<String> checkpoint() { return Optional.empty(); }
        @Override public void saveCheckpoint(String reference) {}

        @Override
        public Path scratchDir() {
            try {
                return Files.createDirectories(scratch);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override public ModelCache models() { return cache; }
    }
}

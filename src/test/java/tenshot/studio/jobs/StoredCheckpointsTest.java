package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.TrainingCheckpoints;
import tenshot.store.ArtifactStore;
import tenshot.store.LocalArtifactStore;

class StoredCheckpointsTest {

    private static final String PREFIX = "runs/7/checkpoints/";

    @TempDir
    Path dir;

    ArtifactStore store;

    @BeforeEach
    void store() throws IOException {
        store = new LocalArtifactStore(dir.resolve("artifacts"));
    }

    /** A checkpoint folder as {@link TrainingCheckpoints} writes it (tensors replaced by marker bytes). */
    static void writeCheckpoint(Path root, long step) throws IOException {
        Path folder = root.resolve(String.format("checkpoint-%06d", step));
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("adapters.safetensors"), "adapters@" + step);
        Files.writeString(folder.resolve("optimizer.safetensors"), "optimizer@" + step);
        Files.writeString(folder.resolve(TrainingCheckpoints.STATE), "{\"step\": " + step + ", \"seed\": 1, \"recipe\": {}}");
    }

    private boolean stored(String key) {
        try {
            return store.exists(key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void uploadsTheNewestCheckpointAndKeepsTwo() throws Exception {
        Path local = dir.resolve("host-a/checkpoints");
        StoredCheckpoints stored = new StoredCheckpoints(store, PREFIX, local, 2);
        List<String> seen = new ArrayList<>();
        // the step is passed on only once its checkpoint is stored
        var listener = stored.uploading(report -> seen.add(report.step() + ":" + stored(PREFIX + "checkpoint-00000" + report.step()
                + "/state.json")));
        for (long step = 2; step <= 6; step += 2) {
            writeCheckpoint(local, step);
            listener.onStep(StepReport.of("training", (int) step, 6, 0.1));
            listener.onStep(StepReport.of("training", (int) step, 6, 0.1));
        }
        assertEquals(List.of("2:true", "2:true", "4:true", "4:true", "6:true", "6:true"), seen);
        assertEquals(List.of(PREFIX + "checkpoint-000004/adapters.safetensors", PREFIX + "checkpoint-000004/optimizer.safetensors",
                PREFIX + "checkpoint-000004/state.json", PREFIX + "checkpoint-000006/adapters.safetensors",
                PREFIX + "checkpoint-000006/optimizer.safetensors", PREFIX + "checkpoint-000006/state.json"), store.list(PREFIX));
    }

    @Test
    void anotherHostRestoresTheNewestCompleteCheckpoint() throws Exception {
        Path hostA = dir.resolve("host-a/checkpoints");
        StoredCheckpoints a = new StoredCheckpoints(store, PREFIX, hostA, 2);
        writeCheckpoint(hostA, 2);
        a.uploadLatest();
        writeCheckpoint(hostA, 4);
        a.uploadLatest();
        // an upload cut off before its state file does not count
        store.put(PREFIX + "checkpoint-000006/adapters.safetensors", "partial".getBytes(StandardCharsets.UTF_8));

        Path hostB = dir.resolve("host-b/checkpoints");
        assertEquals(Optional.of(4L), new StoredCheckpoints(store, PREFIX, hostB, 2).restoreLatest());
        TrainingCheckpoints.Saved latest = new TrainingCheckpoints(hostB, 2).latest().orElseThrow();
        assertEquals(4, latest.state().step());
        assertEquals("adapters@4", Files.readString(latest.directory().resolve("adapters.safetensors")));
        assertEquals("optimizer@4", Files.readString(latest.directory().resolve("optimizer.safetensors")));
        try (var left = Files.list(hostB)) {
            assertEquals(List.of("checkpoint-000004"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aLocalCheckpointAsNewAsTheStoredOneIsKept() throws Exception {
        Path local = dir.resolve("host-a/checkpoints");
        writeCheckpoint(local, 4);
        StoredCheckpoints stored = new StoredCheckpoints(store, PREFIX, local, 2);
        stored.uploadLatest();
        Files.writeString(local.resolve("checkpoint-000004/adapters.safetensors"), "local");
        assertEquals(Optional.empty(), stored.restoreLatest());
        assertEquals("local", Files.readString(local.resolve("checkpoint-000004/adapters.safetensors")));
        assertEquals(Optional.empty(), new StoredCheckpoints(store, "runs/8/checkpoints/", dir.resolve("c"), 2).restoreLatest());
    }

    @Test
    void deleteAllForgetsThem() throws Exception {
        Path local = dir.resolve("host-a/checkpoints");
        writeCheckpoint(local, 2);
        StoredCheckpoints stored = new StoredCheckpoints(store, PREFIX, local, 2);
        stored.uploadLatest();
        stored.deleteAll();
        assertEquals(List.of(), store.list(PREFIX));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StoredCheckpoints(store, "runs/7/checkpoints", dir, 2));
        assertThrows(IllegalArgumentException.class, () -> new StoredCheckpoints(store, PREFIX, dir, 0));
    }
}

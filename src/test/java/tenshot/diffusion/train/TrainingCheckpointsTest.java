package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.SeededNoise;

class TrainingCheckpointsTest {

    /** A toy regression trained with the real optimizer, draws and clipping: enough to prove resume is exact. */
    private static final class ToyRun implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final Map<String, NDArray> params = new LinkedHashMap<>();
        final AdamW optimizer;
        final StepDraws draws = new StepDraws(11, 4, 1, 3, 1000);

        ToyRun() {
            NDArray w = manager.create(SeededNoise.normal(1, 12), new Shape(3, 4));
            NDArray b = manager.zeros(new Shape(4));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            params.put("w.lora_A.default.weight", w);
            params.put("b.lora_B.default.weight", b);
            optimizer = new AdamW(AdamW.Settings.torchDefaults(), manager);
            optimizer.addGroup(params, 0.05);
        }

        void train(long from, long to) {
            for (long step = from; step < to; step++) {
                StepDraws.Draw draw = draws.draw(step);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(SeededNoise.normal(draw.noiseSeeds()[0], 6), new Shape(2, 3));
                    NDArray y = scope.create(SeededNoise.normal(draw.noiseSeeds()[1], 8), new Shape(2, 4));
                    optimizer.zeroGradients();
                    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                        NDArray pred = x.matMul(params.get("w.lora_A.default.weight")).add(params.get("b.lora_B.default.weight"));
                        collector.backward(pred.sub(y).square().mean());
                    }
                    GradientClipping.clipGlobalNorm(optimizer.parameters(), 0.5).close();
                    optimizer.step(new LearningRateSchedule(2).factor(step));
                }
            }
        }

        float[] weights() {
            float[] w = params.get("w.lora_A.default.weight").toFloatArray();
            float[] b = params.get("b.lora_B.default.weight").toFloatArray();
            float[] all = new float[w.length + b.length];
            System.arraycopy(w, 0, all, 0, w.length);
            System.arraycopy(b, 0, all, w.length, b.length);
            return all;
        }

        @Override
        public void close() {
            optimizer.close();
            manager.close();
        }
    }

    private static TrainingCheckpoints.State state(long step) {
        return new TrainingCheckpoints.State(step, 11, TrainingRecipe.safe().toJson(), "toy", "00", Map.of("note", "test"));
    }

    @Test
    void resumingFromTheLatestCheckpointGivesTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        float[] uninterrupted;
        try (ToyRun run = new ToyRun()) {
            run.train(0, 8);
            uninterrupted = run.weights();
        }
        TrainingCheckpoints checkpoints = new TrainingCheckpoints(dir, 2);
        try (ToyRun first = new ToyRun()) {
            first.train(0, 3);
            checkpoints.save(state(3), first.params, first.optimizer);
            first.train(3, 5);
            checkpoints.save(state(5), first.params, first.optimizer);
            first.train(5, 6); // progress after the last checkpoint is lost in a crash
        }
        TrainingCheckpoints.Saved latest = checkpoints.latest().orElseThrow();
        assertEquals(5, latest.state().step());
        assertEquals("test", latest.state().extra().get("note"));
        assertEquals(TrainingRecipe.safe(), TrainingRecipe.fromJson(latest.state().recipeJson()));
        try (ToyRun resumed = new ToyRun()) {
            TrainingCheckpoints.restore(latest, resumed.params, resumed.optimizer);
            assertEquals(5, resumed.optimizer.stepCount());
            resumed.train(latest.state().step(), 8);
            assertArrayEquals(uninterrupted, resumed.weights());
        }
    }

    @Test
    void oldCheckpointsArePrunedAndIncompleteOnesIgnored(@TempDir Path dir) throws Exception {
        TrainingCheckpoints checkpoints = new TrainingCheckpoints(dir, 2);
        Path killed = Files.createDirectories(dir.resolve(".incomplete-123")); // an attempt killed while it wrote
        Files.writeString(killed.resolve("adapters.safetensors"), "half");
        try (ToyRun run = new ToyRun()) {
            for (long step = 1; step <= 4; step++) {
                run.train(step - 1, step);
                checkpoints.save(state(step), run.params, run.optimizer);
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("checkpoint-000003", "checkpoint-000004"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the two newest checkpoints and nothing else");
        }
        Files.createDirectories(dir.resolve("checkpoint-000009")); // a crash before state.json was written
        assertEquals(4, checkpoints.latest().orElseThrow().state().step());
        assertTrue(new TrainingCheckpoints(dir.resolve("none"), 1).latest().isEmpty());
    }

    @Test
    void aCheckpointOfAnotherShapeIsRejectedByKey(@TempDir Path dir) throws Exception {
        TrainingCheckpoints checkpoints = new TrainingCheckpoints(dir, 1);
        try (ToyRun run = new ToyRun()) {
            run.train(0, 1);
            checkpoints.save(state(1), run.params, run.optimizer);
        }
        try (ToyRun other = new ToyRun()) {
            Map<String, NDArray> renamed = new LinkedHashMap<>();
            renamed.put("x.lora_A.default.weight", other.params.get("w.lora_A.default.weight"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingCheckpoints.restore(checkpoints.latest().orElseThrow(), renamed, other.optimizer));
            assertTrue(e.getMessage().contains("x.lora_A.default.weight"), e.getMessage());
        }
    }
}

package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/** The training loop's mechanics on a closed-form model (see {@link AnalyticTrainableModel}). */
class DreamBoothTrainerLoopTest {

    private static TrainingRecipe recipe(int steps) {
        return TrainingRecipe.safe().with(Map.of("steps", steps, "checkpointEvery", 2, "previewEvery", 3,
                "classImagesPerPrompt", 1, "rank", 2, "alpha", 2, "learningRate", 0.05));
    }

    private static TrainingJob job(Path out, TrainingRecipe recipe) {
        return new TrainingJob(Path.of("analytic"), "analytic", Fixtures.dataset("jittor-a/00"), "00", recipe, out, null,
                out.resolve("../class-cache").normalize(), null, false);
    }

    private static float[] lora(Path file, String key) {
        try (NDManager m = NDManager.newBaseManager()) {
            return SafetensorsFile.open(file).load(key, m).toFloatArray();
        }
    }

    @Test
    void aRunReportsEveryStepAndLeavesLoraSamplesAndCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        List<StepReport> reports = new ArrayList<>();
        AnalyticTrainableModel[] model = new AnalyticTrainableModel[1];
        TrainingResult result = new DreamBoothTrainer(job(out, recipe(6)), j -> model[0] = new AnalyticTrainableModel())
                .run(reports::add);
        List<StepReport> training = reports.stream().filter(r -> r.phase().equals("training")).toList();
        assertEquals(6, training.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, training.get(i).step());
            assertTrue(Double.isFinite(training.get(i).loss()) && training.get(i).loss() > 0);
            assertEquals(0.05, training.get(i).learningRate(), 1e-12);
        }
        assertTrue(training.get(2).preview() != null && training.get(5).preview() != null && training.get(0).preview() == null);
        assertEquals(35, reports.stream().filter(r -> r.phase().equals("class-images")).mapToInt(StepReport::step).max().orElse(0));
        assertTrue(Files.isRegularFile(out.resolve("pytorch_lora_weights.safetensors")));
        SafetensorsFile lora = SafetensorsFile.open(result.loraFile());
        assertTrue(lora.metadata().get("tenshot.recipe").contains("\"rank\" : 2"), lora.metadata().toString());
        assertEquals("00", lora.metadata().get("tenshot.style_id"));
        assertEquals(List.of("step-000003.png", "step-000006.png"),
                result.samples().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(Path.of("checkpoint-000006"), result.checkpoint().getFileName());
        assertTrue(Files.isRegularFile(out.resolve("recipe.json")));
        assertNotEquals(0f, lora(result.loraFile(), "unet.mix.lora.up.weight")[0], "B must have moved from its zero init");

        // a second run of the same base model reuses the cached class images
        AnalyticTrainableModel[] again = new AnalyticTrainableModel[1];
        new DreamBoothTrainer(job(dir.resolve("run2"), recipe(1)), j -> again[0] = new AnalyticTrainableModel()).run(null);
        assertEquals(1, again[0].generated, "only the final preview is generated; class images come from the cache");
    }

    @Test
    void cancelledThenResumedEndsWithTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        TrainingResult whole = new DreamBoothTrainer(job(dir.resolve("whole"), recipe(7)), j -> new AnalyticTrainableModel())
                .run(StepListener.NONE);

        Path out = dir.resolve("parts");
        StepListener cancelAtFive = r -> {
            if (r.phase().equals("training") && r.step() == 5) throw new StepListener.Cancelled("user asked");
        };
        assertThrows(StepListener.Cancelled.class,
                () -> new DreamBoothTrainer(job(out, recipe(7)), j -> new AnalyticTrainableModel()).run(cancelAtFive));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/checkpoint-000005")));
        List<Integer> resumedSteps = new ArrayList<>();
        TrainingResult resumed = new DreamBoothTrainer(job(out, recipe(7)).resuming(), j -> new AnalyticTrainableModel())
                .run(r -> {
                    if (r.phase().equals("training")) resumedSteps.add(r.step());
                });
        assertEquals(List.of(6, 7), resumedSteps);
        assertEquals(5, resumed.resumedFrom());
        for (String key : List.of("unet.mix.lora.down.weight", "unet.mix.lora.up.weight")) {
            assertArrayEquals(lora(whole.loraFile(), key), lora(resumed.loraFile(), key), key);
        }
    }

    @Test
    void resumingWithADifferentRecipeNamesWhatChanged(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        new DreamBoothTrainer(job(out, recipe(2)), j -> new AnalyticTrainableModel()).run(null);
        TrainingRecipe other = recipe(4).with(Map.of("rank", 3, "alpha", 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DreamBoothTrainer(job(out, other).resuming(), j -> new AnalyticTrainableModel()).run(null));
        assertTrue(e.getMessage().contains("rank"), e.getMessage());
        // more steps is a legal change: training continues from step 2
        TrainingResult longer = new DreamBoothTrainer(job(out, recipe(4)).resuming(), j -> new AnalyticTrainableModel()).run(null);
        assertEquals(2, longer.resumedFrom());
        assertEquals(4, longer.steps());
    }
}

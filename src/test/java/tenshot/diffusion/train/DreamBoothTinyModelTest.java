package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/** The real trainer on tiny-sd21: outputs, a LoRA file the engine loads back, and exact resume after a cancel. */
class DreamBoothTinyModelTest {

    @TempDir
    static Path work;

    static Path style;

    @BeforeAll
    static void twoImageStyleSet() throws Exception {
        style = Fixtures.twoImageStyle(work.resolve("style"));
    }

    private static TrainingRecipe recipe(String adapter) {
        return TrainingRecipe.safe().with(Map.of("steps", 4, "rank", 2, "alpha", 2, "checkpointEvery", 2, "previewEvery", 0,
                "previewSteps", 1, "classImagesPerPrompt", 1, "classImageSteps", 2, "learningRate", 1e-2, "adapter", adapter));
    }

    private static TrainingJob job(Path out, String adapter) {
        return new TrainingJob(Fixtures.tinySd21(), "tiny-sd21", style, "00", recipe(adapter), out, null, work.resolve("class-cache"),
                EngineDevice.cpu(), false);
    }

    private static DreamBoothTrainer trainer(TrainingJob job) {
        return new DreamBoothTrainer(job, j -> StableDiffusionTrainable.load(j.modelDir(), j.device()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "dora"})
    void cancelAndResumeEndsWhereTheUninterruptedRunEnds(String adapter) throws Exception {
        boolean dora = adapter.equals("dora");
        List<StepReport> reports = new ArrayList<>();
        TrainingResult whole = trainer(job(work.resolve("whole-" + adapter), adapter)).run(reports::add);
        assertEquals(4, reports.stream().filter(r -> r.phase().equals("training")).count());
        assertEquals(2, reports.stream().filter(r -> r.phase().equals("class-images")).mapToInt(StepReport::step).max().orElse(0));
        assertTrue(Files.isRegularFile(whole.loraFile()));
        assertEquals(1, whole.samples().size());
        assertTrue(Files.isDirectory(whole.checkpoint()));

        Path out = work.resolve("parts-" + adapter);
        StepListener cancelAtTwo = r -> {
            if (r.phase().equals("training") && r.step() == 2) throw new StepListener.Cancelled("stop");
        };
        assertThrows(StepListener.Cancelled.class, () -> trainer(job(out, adapter)).run(cancelAtTwo));
        assertFalse(Files.exists(out.resolve("pytorch_lora_weights.safetensors")));
        TrainingResult resumed = trainer(job(out, adapter).resuming()).run(StepListener.NONE);
        assertEquals(2, resumed.resumedFrom());

        SafetensorsFile a = SafetensorsFile.open(whole.loraFile());
        SafetensorsFile b = SafetensorsFile.open(resumed.loraFile());
        assertEquals(a.keys(), b.keys());
        assertEquals(128 * (dora ? 3 : 2), a.keys().size(),
                "rank-2 down+up (and DoRA's magnitude) for 4 projections of 32 attention modules");
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            boolean anyUpMoved = false;
            boolean anyMagnitudeMoved = false;
            for (String key : a.keys()) {
                float[] x = a.load(key, m).toFloatArray();
                assertArrayEquals(x, b.load(key, m).toFloatArray(), key);
                if (key.endsWith("lora.up.weight")) for (float v : x) anyUpMoved |= v != 0f;
                if (key.endsWith(".lora_magnitude_vector")) {
                    String module = key.substring("unet.".length(), key.length() - ".lora_magnitude_vector".length());
                    float[] norms = unet.linears().get(module).weight().square().sum(new int[] {1}).sqrt().toFloatArray();
                    for (int i = 0; i < x.length; i++) anyMagnitudeMoved |= Math.abs(x[i] - norms[i]) > 1e-6f;
                }
            }
            assertTrue(anyUpMoved, "training must move lora_B away from zero");
            assertEquals(dora, anyMagnitudeMoved, "DoRA training moves the magnitudes away from the weight norms");
        }
        assertTrue(a.metadata().get("tenshot.recipe").contains("\"priorLossWeight\""));
        assertTrue(a.metadata().containsKey(LoraSet.ADAPTER_METADATA_KEY));
        // the file is what diffusers' load_lora_weights reads, and the engine loads it back for generation
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Fixtures.tinySd21().resolve("unet"), EngineDevice.cpu(), m);
            try (LoraSet loaded = LoraSet.load(resumed.loraFile(), Map.of("unet", unet.linears()), 1.0, m, DataType.FLOAT32)) {
                assertEquals(128, loaded.attached().size());
                assertEquals(2, loaded.attached().get(0).adapter().rank());
            }
        }
    }

    @Test
    void aTextEncoderLoraTrainsAtItsOwnRateAndIsSavedBesideTheUnetOne() throws Exception {
        TrainingRecipe recipe = TrainingRecipe.aggressive().with(Map.of("steps", 2, "rank", 2, "alpha", 2, "textEncoderRank", 2,
                "textEncoderAlpha", 2, "priorLossWeight", 0, "viewsPerImage", 1, "previewEvery", 0, "previewSteps", 1));
        recipe = recipe.with(Map.of("textEncoderLearningRate", 1e-3, "checkpointEvery", 0, "learningRate", 1e-2));
        TrainingJob job = new TrainingJob(Fixtures.tinySd21(), "tiny-sd21", style, "00", recipe, work.resolve("te"), null,
                work.resolve("class-cache"), EngineDevice.cpu(), false);
        TrainingResult result = trainer(job).run(null);
        SafetensorsFile file = SafetensorsFile.open(result.loraFile());
        List<String> textKeys = file.keys().stream().filter(k -> k.startsWith("text_encoder.")).toList();
        assertFalse(textKeys.isEmpty(), "the LoRA file must hold the text-encoder adapters");
        try (NDManager m = NDManager.newBaseManager()) {
            boolean moved = false;
            for (String key : textKeys) {
                if (key.contains(".up.")) for (float v : file.load(key, m).toFloatArray()) moved |= v != 0f;
            }
            assertTrue(moved, "text-encoder lora_B must have moved from zero");
        }
    }
}

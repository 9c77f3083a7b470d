package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * A board run is the same training as one run per style: three styles of the A board trained together
 * on tiny-sd21 (prior preservation on, so every style has an instance and a class row per step) end
 * with the adapters each style gets when trained alone with the same seed, within 1e-5.
 */
class BoardTrainingEquivalenceTest {

    private static final List<String> STYLES = List.of("00", "01", "02");

    @TempDir
    static Path work;

    @BeforeAll
    static void threeSmallStyleSets() throws Exception {
        for (String id : STYLES) {
            Path images = Fixtures.dataset("jittor-a/" + id + "/images");
            Path style = Files.createDirectories(work.resolve("styles/" + id + "/images"));
            try (var files = Files.list(images)) {
                for (Path image : files.sorted().limit(3).toList()) Files.copy(image, style.resolve(image.getFileName()));
            }
        }
    }

    /**
     * The safe recipe's own learning rate (1e-4). Adam's first steps move a weight by about
     * {@code lr·g/(|g| + eps)}, so for gradients near eps a rounding-level difference between batched
     * and unbatched kernels moves the weight by a visible part of lr: at 100x the learning rate that
     * is 8e-5 after three steps, whichever way the styles are batched.
     */
    private static TrainingRecipe recipe() {
        return TrainingRecipe.safe().with(Map.of("steps", 3, "rank", 4, "alpha", 4, "checkpointEvery", 0, "previewEvery", 0,
                "previewSteps", 1, "classImagesPerPrompt", 1, "classImageSteps", 2, "resolution", 64));
    }

    private static TrainingJob job(String id, Path out) {
        return new TrainingJob(Fixtures.tinySd21(), "tiny-sd21", work.resolve("styles/" + id), id, recipe(), out, null,
                work.resolve("class-cache"), EngineDevice.cpu(), false);
    }

    private static DreamBoothTrainer.ModelLoader tiny() {
        return j -> StableDiffusionTrainable.load(j.modelDir(), j.device());
    }

    @Test
    void stylesTrainedTogetherEqualStylesTrainedAlone() throws Exception {
        List<TrainingResult> alone = new ArrayList<>();
        for (String id : STYLES) alone.add(new DreamBoothTrainer(job(id, work.resolve("alone/" + id)), tiny()).run(null));

        List<TrainingJob> board = new ArrayList<>();
        for (String id : STYLES) board.add(job(id, work.resolve("board/" + id)));
        List<int[]> reports = new ArrayList<>();
        List<TrainingResult> together = new DreamBoothTrainer(board, tiny()).runBoard((style, report) -> {
            if (report.phase().equals("training")) reports.add(new int[] {style, report.step()});
        });

        assertEquals(STYLES.size() * 3, reports.size(), "every style reports every training step");
        try (NDManager m = NDManager.newBaseManager()) {
            for (int s = 0; s < STYLES.size(); s++) {
                SafetensorsFile a = SafetensorsFile.open(alone.get(s).loraFile());
                SafetensorsFile b = SafetensorsFile.open(together.get(s).loraFile());
                assertEquals(a.keys(), b.keys());
                double worst = 0;
                for (String key : a.keys()) {
                    NDArray x = a.load(key, m);
                    worst = Math.max(worst, x.sub(b.load(key, m)).abs().max().getFloat());
                }
                assertTrue(worst <= 1e-5, "style " + STYLES.get(s) + ": board adapters differ from the lone run's by " + worst);
                assertEquals(alone.get(s).finalLoss(), together.get(s).finalLoss(), 1e-5, "final loss of style " + STYLES.get(s));
                assertEquals(STYLES.get(s), b.metadata().get("tenshot.style_id"));
            }
        }
        // styles really differ from each other (the comparison above is not trivially between equal files)
        try (NDManager m = NDManager.newBaseManager()) {
            String key = SafetensorsFile.open(together.get(0).loraFile()).keys().iterator().next();
            float apart = SafetensorsFile.open(together.get(0).loraFile()).load(key, m)
                    .sub(SafetensorsFile.open(together.get(1).loraFile()).load(key, m)).abs().max().getFloat();
            assertTrue(apart > 1e-4, "two styles' adapters should differ, max difference " + apart);
        }
    }

    @Test
    void aBoardCancelledPartWayThroughAPassResumesEveryStyleToTheUninterruptedAdapters() throws Exception {
        List<TrainingJob> whole = new ArrayList<>();
        List<TrainingJob> parts = new ArrayList<>();
        for (String id : STYLES) {
            whole.add(job(id, work.resolve("whole/" + id)));
            parts.add(job(id, work.resolve("parts/" + id)));
        }
        List<TrainingResult> uninterrupted = new DreamBoothTrainer(whole, tiny()).runBoard(null);
        // style 0 reports step 2 before styles 1 and 2 do: the cancel lands inside the pass
        assertThrows(StepListener.Cancelled.class, () -> new DreamBoothTrainer(parts, tiny()).runBoard((style, report) -> {
            if (report.phase().equals("training") && style == 0 && report.step() == 2) throw new StepListener.Cancelled("user asked");
        }));
        List<TrainingResult> resumed = new DreamBoothTrainer(parts.stream().map(TrainingJob::resuming).toList(), tiny()).runBoard(null);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int s = 0; s < STYLES.size(); s++) {
                assertEquals(2, resumed.get(s).resumedFrom(), "style " + STYLES.get(s) + " resumes from the step it finished");
                SafetensorsFile a = SafetensorsFile.open(uninterrupted.get(s).loraFile());
                SafetensorsFile b = SafetensorsFile.open(resumed.get(s).loraFile());
                double worst = 0;
                for (String key : a.keys()) worst = Math.max(worst, a.load(key, m).sub(b.load(key, m)).abs().max().getFloat());
                assertTrue(worst <= 1e-5, "style " + STYLES.get(s) + ": resumed adapters differ from the uninterrupted run's by " + worst);
            }
        }
    }

    @Test
    void aBoardRefusesStylesThatDoNotShareTheRecipe() {
        TrainingJob other = new TrainingJob(Fixtures.tinySd21(), "tiny-sd21", work.resolve("styles/01"), "01",
                recipe().withSteps(5), work.resolve("x/01"), null, work.resolve("class-cache"), EngineDevice.cpu(), false);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new DreamBoothTrainer(List.of(job("00", work.resolve("x/00")), other), tiny()));
        assertTrue(refused.getMessage().contains("must share"), refused.getMessage());
    }
}

package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.StepReport;
import tenshot.worker.JobProgress;

/** A board's per-style training reports folded into one report per pass, with each style's own as a part. */
class BoardProgressTest {

    private record Forwarded(StepReport whole, List<JobProgress.Part> parts) {}

    private static final class Recorder implements JobProgress {
        final List<Forwarded> calls = new ArrayList<>();

        @Override
        public void onStep(StepReport report) {
            calls.add(new Forwarded(report, null));
        }

        @Override
        public void onStep(StepReport whole, List<Part> parts) {
            calls.add(new Forwarded(whole, parts));
        }
    }

    private static StepReport training(int step, double loss, BufferedImage preview) {
        return new StepReport("training", step, 3, loss, 1e-4, 0.6, preview);
    }

    @Test
    void eachPassForwardsTheWholeBoardAndEveryStylesLatestStepLossAndNewPreview() {
        Recorder target = new Recorder();
        BoardProgress board = new BoardProgress(List.of("00", "07"), target);
        BufferedImage preview = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);

        board.onStep(0, training(1, 0.2, preview));
        assertEquals(0, target.calls.size(), "nothing is forwarded before the pass's last style reported");
        board.onStep(1, training(1, 0.4, null));
        board.onStep(0, training(2, 0.1, null));
        board.onStep(1, training(2, 0.3, preview));
        assertEquals(2, target.calls.size());

        Forwarded first = target.calls.get(0);
        assertEquals(2, first.whole().step(), "style-steps over the board");
        assertEquals(6, first.whole().total());
        assertEquals(0.3, first.whole().loss(), 1e-12, "the mean of the styles' losses");
        assertEquals(0.3, first.whole().secondsPerStep(), 1e-12, "the pass's time shared by its two style-steps");
        assertNull(first.whole().preview(), "previews belong to the styles");
        assertEquals(List.of("00", "07"), first.parts().stream().map(JobProgress.Part::name).toList());
        assertEquals(0.4, first.parts().get(1).report().loss(), 1e-12);
        assertNotNull(first.parts().get(0).report().preview());
        assertNull(first.parts().get(1).report().preview());

        Forwarded second = target.calls.get(1);
        assertEquals(4, second.whole().step());
        assertEquals(2, second.parts().get(0).report().step());
        assertNull(second.parts().get(0).report().preview(), "a style's preview is sent with the pass that made it only");
        assertNotNull(second.parts().get(1).report().preview());
    }

    @Test
    void classImagesAreReportedOnceForTheWholeBoard() {
        Recorder target = new Recorder();
        BoardProgress board = new BoardProgress(List.of("00", "07"), target);
        board.onStep(0, StepReport.of("class-images", 1, 4, 0.5));
        board.onStep(1, StepReport.of("class-images", 1, 4, 0.5));
        assertEquals(1, target.calls.size());
        assertNull(target.calls.get(0).parts());
        assertEquals("class-images", target.calls.get(0).whole().phase());
    }
}

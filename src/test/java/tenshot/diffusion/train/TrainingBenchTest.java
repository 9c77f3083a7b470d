package tenshot.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.unet.UNetConfig;
import tenshot.testing.Fixtures;

class TrainingBenchTest {

    @Test
    void measuresATrainingStepOfARandomUnetAndPrintsARow() {
        UNetConfig config = UNetConfig.read(Fixtures.tinySd21().resolve("unet/config.json"));
        TrainingBench.Row row = TrainingBench.measure(config, EngineDevice.cpu(), 64, 4, 1, 1, 3);
        assertEquals(64, row.size());
        assertEquals(2, row.batch());
        assertEquals(4, row.rank());
        assertTrue(row.msPerStep() > 0 && Double.isFinite(row.msPerStep()), "ms/step " + row.msPerStep());
        assertTrue(row.peakGiB() > 0, "peak " + row.peakGiB());
        String table = TrainingBench.table(List.of(row));
        assertTrue(table.contains("ms/step") && table.contains("cpu float32"), table);
    }
}

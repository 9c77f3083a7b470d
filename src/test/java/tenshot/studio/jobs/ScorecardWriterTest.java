package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.EngineDevice;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoredStyle;
import tenshot.store.ArtifactStore;
import tenshot.studio.upload.BadImages;
import tenshot.worker.ModelCache;

/** A stored scorecard is recomputed only when its inputs change. */
@QuarkusTest
class ScorecardWriterTest {

    @Inject
    ScorecardWriter writer;

    @Inject
    ArtifactStore store;

    @TempDir
    Path dir;

    private final ModelCache models = new ModelCache(2);

    private Path image(String name, int rgb) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) image.setRGB(x, y, rgb + x * 3 + y * 5);
        Path file = dir.resolve(name);
        Files.write(file, BadImages.png(image));
        return file;
    }

    @Test
    void sameInputsAreNotScoredAgainChangedOnesAre() throws Exception {
        ScoreArtifacts where = ScoreArtifacts.ofEvaluation(990_001);
        store.deleteAll(where.prefix());
        List<ScoredStyle> styles = List.of(new ScoredStyle("07", List.of(image("apple.png", 0x803020), image("car.png", 0x204080)),
                List.of(image("Dolphin.png", 0x606060), image("Bread.png", 0x905010))));

        ScorecardWriter.Outcome first = writer.write(where, styles, ScoringMode.OFFICIAL, EngineDevice.cpu(), models);
        assertTrue(first.recomputed());
        assertTrue(store.exists(where.scorecardKey()));
        java.time.Instant written = store.stat(where.scorecardKey()).orElseThrow().lastModified();

        ScorecardWriter.Outcome again = writer.write(where, styles, ScoringMode.OFFICIAL, EngineDevice.cpu(), models);
        assertFalse(again.recomputed());
        assertEquals(first.fingerprint(), again.fingerprint());
        assertEquals(written, store.stat(where.scorecardKey()).orElseThrow().lastModified());

        image("Bread.png", 0x905011);
        ScorecardWriter.Outcome changed = writer.write(where, styles, ScoringMode.OFFICIAL, EngineDevice.cpu(), models);
        assertTrue(changed.recomputed());
        assertNotEquals(first.fingerprint(), changed.fingerprint());

        ScorecardWriter.Outcome corrected = writer.write(where, styles, ScoringMode.CORRECTED, EngineDevice.cpu(), models);
        assertTrue(corrected.recomputed(), "another mode is another input");
        store.deleteAll(where.prefix());
    }
}

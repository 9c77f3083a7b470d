package tenshot.scoring.submission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.testing.Fixtures;

class SubmissionCheckTest {

    @TempDir
    Path tmp;

    @Test
    void reportsEveryLayoutProblemPerFile() throws Exception {
        ReferenceDataset dataset = ReferenceDataset.open(Fixtures.dataset("jittor-a"));
        assertEquals(List.of("00", "01", "02"), dataset.styles().stream().map(ReferenceDataset.Style::id).toList());
        assertEquals(25, dataset.style("00").prompts().size());
        assertEquals("Dolphin", dataset.style("00").prompts().get(0));

        Path upload = tmp.resolve("upload");
        Path style = Files.createDirectories(upload.resolve("00"));
        Path ref = dataset.style("01").references().get(0);
        Files.copy(ref, style.resolve("Dolphin.png"));
        Files.copy(ref, style.resolve("Bread.png"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB), "png", style.resolve("Kangaroo.png").toFile());
        Files.writeString(style.resolve("notes.txt"), "hello");
        Files.writeString(style.resolve("Falcon.png"), "not a png");
        Files.createDirectories(upload.resolve("99"));
        Files.writeString(upload.resolve(SubmissionCheck.RUN_CONFIG), "{}"); // Tenshot's zips carry it

        SubmissionCheck check = SubmissionCheck.run(upload, dataset, 0, 0);
        assertFalse(check.complete());
        List<LayoutProblem> p = check.problems();
        assertTrue(has(p, "01/", LayoutProblem.Kind.MISSING_STYLE), p.toString());
        assertTrue(has(p, "02/", LayoutProblem.Kind.MISSING_STYLE), p.toString());
        assertTrue(has(p, "00/Moon.png", LayoutProblem.Kind.MISSING_PROMPT), p.toString());
        assertTrue(has(p, "00/Kangaroo.png", LayoutProblem.Kind.NOT_RGB), p.toString());
        assertTrue(has(p, "00/Kangaroo.png", LayoutProblem.Kind.WRONG_SIZE), p.toString());
        assertTrue(has(p, "00/Falcon.png", LayoutProblem.Kind.UNREADABLE), p.toString());
        assertTrue(has(p, "00/notes.txt", LayoutProblem.Kind.EXTRA_FILE), p.toString());
        assertTrue(has(p, "99/", LayoutProblem.Kind.EXTRA_FILE), p.toString());
        assertFalse(has(p, "00/Dolphin.png", null), p.toString());
        assertFalse(has(p, SubmissionCheck.RUN_CONFIG, null), p.toString());
        assertEquals(1, check.scorable().size());
        assertEquals(2, check.scorable().get(0).generated().size());
        assertEquals(10, check.scorable().get(0).references().size());

        SubmissionCheck sized = SubmissionCheck.run(upload, dataset, 512, 512);
        assertTrue(has(sized.problems(), "00/Dolphin.png", LayoutProblem.Kind.WRONG_SIZE), sized.problems().toString());
    }

    @Test
    void zipsUnwrapOneTopFolderAndRefuseEscapes() throws Exception {
        Path zip = tmp.resolve("s.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("results/00/Dog.png"));
            z.write(new byte[] {1, 2, 3});
            z.closeEntry();
        }
        Path root = SubmissionArchive.extract(zip, tmp.resolve("x"), 1 << 20);
        assertTrue(Files.isRegularFile(root.resolve("00/Dog.png")), root.toString());

        Path evil = tmp.resolve("evil.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new ZipEntry("../escape.png"));
            z.write(1);
            z.closeEntry();
        }
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> SubmissionArchive.extract(evil, tmp.resolve("y"), 1 << 20));
        assertTrue(e.getMessage().contains("escapes"), e.getMessage());
    }

    private static boolean has(List<LayoutProblem> problems, String file, LayoutProblem.Kind kind) {
        return problems.stream().anyMatch(p -> p.file().equals(file) && (kind == null || p.kind() == kind));
    }
}

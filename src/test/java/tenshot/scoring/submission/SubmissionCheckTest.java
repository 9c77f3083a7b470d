package tenshot.scoring.submission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import tenshot.scoring.ScoringMode;
import tenshot.scoring.image.ImageFiles;
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

        SubmissionCheck check = SubmissionCheck.run(upload, dataset, 0, 0, ScoringMode.CORRECTED);
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

        SubmissionCheck sized = SubmissionCheck.run(upload, dataset, 512, 512, ScoringMode.CORRECTED);
        assertTrue(has(sized.problems(), "00/Dolphin.png", LayoutProblem.Kind.WRONG_SIZE), sized.problems().toString());
    }

    @Test
    void officialModeScoresNonRgbImagesAsCv2ReadsThemAndCorrectedModeSaysWhyNot() throws Exception {
        ReferenceDataset dataset = ReferenceDataset.open(Fixtures.dataset("jittor-a"));
        ReferenceDataset.Style style = dataset.style("00");
        Path upload = tmp.resolve("mixed");
        Path dir = Files.createDirectories(upload.resolve("00"));
        List<Path> refs = dataset.style("01").references();
        BufferedImage source = ImageIO.read(refs.get(0).toFile());
        BufferedImage rgba = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_4BYTE_ABGR);
        for (int y = 0; y < source.getHeight(); y++) {
            for (int x = 0; x < source.getWidth(); x++) rgba.setRGB(x, y, ((x + y) % 256) << 24 | (source.getRGB(x, y) & 0xFFFFFF));
        }
        ImageIO.write(rgba, "png", dir.resolve(style.prompts().get(0) + ".png").toFile());
        BufferedImage grey = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(source, 0, 0, null);
        ImageIO.write(grey, "png", dir.resolve(style.prompts().get(1) + ".png").toFile());
        Files.copy(refs.get(1), dir.resolve(style.prompts().get(2) + ".png"));

        SubmissionCheck official = SubmissionCheck.run(upload, new ReferenceDataset(dataset.root(), List.of(style)), 0, 0,
                ScoringMode.OFFICIAL);
        assertFalse(official.problems().stream().anyMatch(p -> p.kind() == LayoutProblem.Kind.NOT_RGB), official.problems().toString());
        assertEquals(3, official.scorable().get(0).generated().size());
        assertArrayEquals(ImageFiles.read(refs.get(0)).rgb(), ImageFiles.read(dir.resolve(style.prompts().get(0) + ".png")).rgb(),
                "an RGBA copy scores as its RGB original: alpha dropped, not composited");

        SubmissionCheck corrected = SubmissionCheck.run(upload, new ReferenceDataset(dataset.root(), List.of(style)), 0, 0,
                ScoringMode.CORRECTED);
        java.util.Map<String, String> notRgb = new java.util.TreeMap<>();
        for (LayoutProblem p : corrected.problems()) if (p.kind() == LayoutProblem.Kind.NOT_RGB) notRgb.put(p.file(), p.message());
        assertEquals(java.util.Set.of("00/" + style.prompts().get(0) + ".png", "00/" + style.prompts().get(1) + ".png"), notRgb.keySet());
        String rgbaReason = notRgb.get("00/" + style.prompts().get(0) + ".png");
        assertTrue(rgbaReason.startsWith("image mode is RGBA, expected 8-bit RGB in corrected mode"), rgbaReason);
        assertTrue(notRgb.get("00/" + style.prompts().get(1) + ".png").startsWith("image mode is L, expected"), notRgb.toString());
        assertEquals(1, corrected.scorable().get(0).generated().size());
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

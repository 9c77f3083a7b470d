package tenshot.scoring.submission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import tenshot.scoring.ScoringMode;
import tenshot.scoring.ScoredStyle;
import tenshot.scoring.image.ImageFiles;
import tenshot.scoring.image.RgbImage;

/**
 * Checks an uploaded folder in the challenge's submission layout, {@code NN/{Prompt}.png} for every style
 * {@code NN} and every prompt of the reference dataset, and lists every problem per file. The styles that
 * have at least one valid image are returned ready to score (against the dataset's references).
 */
public record SubmissionCheck(List<LayoutProblem> problems, List<ScoredStyle> scorable) {

    /** The run settings Tenshot's own submission zips carry beside the style folders; not an extra file. */
    public static final String RUN_CONFIG = "config.json";

    public boolean complete() {
        return problems.isEmpty();
    }

    /**
     * @param expectedWidth required width and height, or 0 for "any size, but the same for all images"
     * @param mode official mode scores RGBA, palette, grey and 16-bit PNGs converted as the kit's
     *     {@code cv2.imread} converts them; corrected mode refuses them, since that conversion drops alpha
     *     without compositing and the metrics would see colours the image never showed
     */
    public static SubmissionCheck run(Path upload, ReferenceDataset dataset, int expectedWidth, int expectedHeight,
            ScoringMode mode) throws IOException {
        if (!Files.isDirectory(upload)) throw new IOException("submission folder not found: " + upload);
        List<LayoutProblem> problems = new ArrayList<>();
        List<ScoredStyle> scorable = new ArrayList<>();
        Set<String> styleIds = new HashSet<>();
        Map<String, Integer> sizes = new HashMap<>();
        Map<String, String> sizeOfFile = new HashMap<>();
        for (ReferenceDataset.Style style : dataset.styles()) {
            styleIds.add(style.id());
            Path dir = upload.resolve(style.id());
            if (!Files.isDirectory(dir)) {
                problems.add(new LayoutProblem(style.id() + "/", LayoutProblem.Kind.MISSING_STYLE,
                        "style folder " + style.id() + "/ is missing (" + style.prompts().size() + " prompts)"));
                continue;
            }
            Set<String> expectedFiles = new HashSet<>();
            List<Path> valid = new ArrayList<>();
            for (String prompt : style.prompts()) {
                String name = prompt + ".png";
                expectedFiles.add(name);
                String rel = style.id() + "/" + name;
                Path file = dir.resolve(name);
                if (!Files.isRegularFile(file)) {
                    problems.add(new LayoutProblem(rel, LayoutProblem.Kind.MISSING_PROMPT,
                            "no image for prompt \"" + prompt + "\" (expected " + rel + ")"));
                    continue;
                }
                RgbImage image;
                try {
                    image = ImageFiles.read(file);
                } catch (IOException e) {
                    problems.add(new LayoutProblem(rel, LayoutProblem.Kind.UNREADABLE, e.getMessage()));
                    continue;
                }
                boolean ok = true;
                if (!image.isRgb() && !mode.official()) {
                    problems.add(new LayoutProblem(rel, LayoutProblem.Kind.NOT_RGB, "image mode is " + image.colorMode()
                            + ", expected 8-bit RGB in corrected mode (official mode converts it as cv2.imread does:"
                            + " alpha dropped, not composited)"));
                    ok = false;
                }
                if (expectedWidth > 0 && (image.width() != expectedWidth || image.height() != expectedHeight)) {
                    problems.add(new LayoutProblem(rel, LayoutProblem.Kind.WRONG_SIZE, "image is " + image.width() + "x"
                            + image.height() + ", expected " + expectedWidth + "x" + expectedHeight));
                    ok = false;
                } else if (expectedWidth <= 0) {
                    String size = image.width() + "x" + image.height();
                    sizes.merge(size, 1, Integer::sum);
                    sizeOfFile.put(rel, size);
                }
                if (ok) valid.add(file);
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (!expectedFiles.contains(n)) {
                        problems.add(new LayoutProblem(style.id() + "/" + n, LayoutProblem.Kind.EXTRA_FILE,
                                "not one of style " + style.id() + "'s prompts (names must be {Prompt}.png exactly)"));
                    }
                }
            }
            if (!valid.isEmpty()) scorable.add(new ScoredStyle(style.id(), style.references(), valid));
        }
        try (Stream<Path> s = Files.list(upload)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!styleIds.contains(n) && !(n.equals(RUN_CONFIG) && Files.isRegularFile(p))) {
                    problems.add(new LayoutProblem(n + (Files.isDirectory(p) ? "/" : ""), LayoutProblem.Kind.EXTRA_FILE,
                            "not a style of the reference dataset"));
                }
            }
        }
        if (expectedWidth <= 0 && sizes.size() > 1) {
            String common = sizes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            sizeOfFile.forEach((file, size) -> {
                if (!size.equals(common)) {
                    problems.add(new LayoutProblem(file, LayoutProblem.Kind.WRONG_SIZE,
                            "image is " + size + " but most images are " + common));
                }
            });
        }
        problems.sort(java.util.Comparator.comparing(LayoutProblem::file));
        return new SubmissionCheck(List.copyOf(problems), List.copyOf(scorable));
    }
}

package tenshot.scoring;

import java.nio.file.Path;
import java.util.List;

/**
 * One style to score: its reference images and the generated images. A generated image's prompt is
 * its file stem ({@code Dog.png} → "Dog"), as in the challenge's submission layout.
 */
public record ScoredStyle(String name, List<Path> references, List<Path> generated) {

    public ScoredStyle {
        if (references.isEmpty()) throw new IllegalArgumentException("style " + name + " has no reference images");
        if (generated.isEmpty()) throw new IllegalArgumentException("style " + name + " has no generated images");
        references = List.copyOf(references);
        generated = List.copyOf(generated);
    }

    public static String prompt(Path image) {
        String file = image.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}

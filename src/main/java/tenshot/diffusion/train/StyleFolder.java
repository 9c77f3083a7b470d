package tenshot.diffusion.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A style set as the Jittor challenge ships it: {@code images/} holding a few images named after the
 * objects they show, and an optional {@code prompt.json} mapping indexes to the objects to generate.
 *
 * @param images the training images, sorted by file name
 * @param objects the object each image shows, from its file name, in the order of {@code images}
 * @param prompts the objects of {@code prompt.json} in index order (empty without the file)
 */
public record StyleFolder(Path directory, List<Path> images, List<String> objects, List<String> prompts) {

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    public static StyleFolder open(Path directory) throws IOException {
        Path imageDir = directory.resolve("images");
        if (!Files.isDirectory(imageDir)) {
            throw new IllegalArgumentException("style set " + directory + " has no images/ folder");
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(imageDir)) {
            images = files.filter(Files::isRegularFile).filter(StyleFolder::isImage).sorted().toList();
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("style set " + imageDir + " holds no .png, .jpg, .jpeg, .bmp or .gif images");
        }
        List<String> objects = images.stream().map(p -> PromptTemplate.objectFromFileName(p.getFileName().toString())).toList();
        Path promptFile = directory.resolve("prompt.json");
        List<String> prompts = Files.exists(promptFile) ? readPrompts(promptFile) : List.of();
        return new StyleFolder(directory, images, objects, prompts);
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** {@code prompt.json}: an object {"0": "Dolphin", ...} (sorted by numeric key) or a plain array. */
    static List<String> readPrompts(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (JsonNode n : root) out.add(text(file, "[" + out.size() + "]", n));
            return out;
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + " must hold a JSON object or array of prompts");
        List<Integer> keys = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            try {
                keys.add(Integer.parseInt(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": key '" + key + "' is not a prompt index");
            }
        }
        keys.sort(null);
        for (int k : keys) out.add(text(file, "\"" + k + "\"", root.get(String.valueOf(k))));
        return out;
    }

    private static String text(Path file, String where, JsonNode n) {
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException(file + ": entry " + where + " must be a non-empty string");
        }
        return n.asText().trim();
    }

    /** One instance prompt per image, in the order of {@link #images()}. */
    public List<String> instancePrompts(PromptTemplate template, String styleId) {
        return objects.stream().map(o -> template.render(o, styleId)).toList();
    }

    /**
     * Prompts for the class (prior) images: every distinct object of the images and of
     * {@code prompt.json}, without the style token (e.g. "an image of Dolphin").
     */
    public List<String> classPrompts(PromptTemplate template) {
        Set<String> objectsSeen = new LinkedHashSet<>(objects);
        objectsSeen.addAll(prompts);
        Set<String> out = new LinkedHashSet<>();
        for (String o : objectsSeen) out.add(template.render(o, ""));
        return List.copyOf(out);
    }
}

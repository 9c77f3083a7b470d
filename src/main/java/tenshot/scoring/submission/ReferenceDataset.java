package tenshot.scoring.submission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A challenge dataset: one folder per style ({@code 00}, {@code 01}, ...), each with {@code images/}
 * (the style's reference images) and {@code prompt.json} (index → prompt to generate).
 */
public record ReferenceDataset(Path root, List<Style> styles) {

    /** One style: its reference images (sorted by name) and its prompts in index order. */
    public record Style(String id, List<Path> references, List<String> prompts) {}

    public static ReferenceDataset open(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException("reference dataset folder not found: " + root);
        List<Style> styles = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : dirs) {
            Path images = dir.resolve("images");
            Path prompts = dir.resolve("prompt.json");
            if (!Files.isDirectory(images) || !Files.isRegularFile(prompts)) continue;
            List<Path> refs;
            try (Stream<Path> s = Files.list(images)) {
                refs = s.filter(ReferenceDataset::isImageFile).sorted().toList();
            }
            if (refs.isEmpty()) throw new IOException("style " + dir + " has no reference images in " + images);
            styles.add(new Style(dir.getFileName().toString(), refs, readPrompts(prompts)));
        }
        if (styles.isEmpty()) {
            throw new IOException("no styles in " + root + ": expected folders NN/ with images/ and prompt.json");
        }
        return new ReferenceDataset(root, List.copyOf(styles));
    }

    public Style style(String id) {
        return styles.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("dataset " + root + " has no style " + id));
    }

    static List<String> readPrompts(Path file) throws IOException {
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) throw new IOException(file + " must be a JSON object {\"0\": \"Prompt\", ...}");
        Map<Integer, String> byIndex = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                byIndex.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            } catch (NumberFormatException ex) {
                throw new IOException(file + ": key '" + e.getKey() + "' is not a prompt index");
            }
        }
        return List.copyOf(byIndex.values());
    }

    static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }
}

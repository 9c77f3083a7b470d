package tenshot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A prompt list file: the challenge's {@code {"0": "Dolphin", ...}} (by numeric key) or a JSON array of strings. */
final class PromptFile {

    private PromptFile() {}

    static List<String> read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read prompt file " + file + ": " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (int i = 0; i < root.size(); i++) out.add(text(file, String.valueOf(i), root.get(i)));
        } else if (root != null && root.isObject()) {
            TreeMap<Long, String> byIndex = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                long key;
                try {
                    key = Long.parseLong(e.getKey().trim());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException(file + ": key '" + e.getKey() + "' is not a number");
                }
                byIndex.put(key, text(file, e.getKey(), e.getValue()));
            }
            out.addAll(byIndex.values());
        } else {
            throw new IllegalArgumentException(file + ": expected {\"0\": \"prompt\", ...} or [\"prompt\", ...]");
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no prompts");
        return out;
    }

    private static String text(Path file, String key, JsonNode node) {
        if (node == null || !node.isTextual()) throw new IllegalArgumentException(file + ": entry " + key + " is not a string");
        return node.asText();
    }
}

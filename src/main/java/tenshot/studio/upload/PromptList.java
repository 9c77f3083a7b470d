package tenshot.studio.upload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tenshot.studio.limits.JsonLimits;

/**
 * The prompts of a style set, from the challenge's {@code prompt.json} form ({@code {"0": "Dolphin",
 * "1": "Bread"}}, ordered by the numeric keys) or a JSON array of strings. Each prompt becomes a file
 * name ({@code Dolphin.png}), so it must be a valid one, and no two may be the same.
 */
public final class PromptList {

    public static final int MAX_JSON_BYTES = 64 * 1024;
    public static final int MAX_PROMPTS = 500;

    private static final ObjectMapper JSON = JsonLimits.limited(new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

    private PromptList() {}

    public static List<String> parse(byte[] json, String field) {
        if (json.length > MAX_JSON_BYTES) {
            throw new UploadRejected(field, "the prompt list is " + json.length + " bytes; the limit is "
                    + MAX_JSON_BYTES + " bytes", 413);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UploadRejected(field, "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new UploadRejected(field, "could not be read: " + e.getMessage());
        }
        List<String> prompts = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (int i = 0; i < root.size(); i++) prompts.add(text(root.get(i), field + "[" + i + "]"));
        } else if (root != null && root.isObject()) {
            TreeMap<Integer, String> ordered = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int index;
                try {
                    index = Integer.parseInt(e.getKey());
                } catch (NumberFormatException nfe) {
                    throw new UploadRejected(field + "." + e.getKey(), "keys of the prompt object must be numbers (\"0\", \"1\", ...)");
                }
                if (ordered.put(index, text(e.getValue(), field + "." + e.getKey())) != null) {
                    throw new UploadRejected(field + "." + e.getKey(), "the index " + index + " appears twice");
                }
            }
            prompts.addAll(ordered.values());
        } else {
            throw new UploadRejected(field, "expected {\"0\": \"Dolphin\", ...} or [\"Dolphin\", ...]");
        }
        if (prompts.isEmpty()) throw new UploadRejected(field, "the prompt list is empty");
        if (prompts.size() > MAX_PROMPTS) {
            throw new UploadRejected(field, prompts.size() + " prompts; the limit is " + MAX_PROMPTS);
        }
        Map<String, String> seen = new HashMap<>();
        for (String prompt : prompts) {
            Names.checkFileName(prompt, field + " \"" + prompt + "\"");
            String before = seen.put(Names.sameKey(prompt), prompt);
            if (before != null) throw new UploadRejected(field + " \"" + prompt + "\"", "the prompt appears twice");
        }
        return prompts;
    }

    public static List<String> parse(String json, String field) {
        return parse(json.getBytes(StandardCharsets.UTF_8), field);
    }

    private static String text(JsonNode node, String field) {
        if (node == null || !node.isTextual()) throw new UploadRejected(field, "a prompt must be a string");
        return node.asText().strip();
    }

    public static String toJson(List<String> prompts) {
        try {
            return JSON.writeValueAsString(prompts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads back what {@link #toJson} wrote. */
    public static List<String> fromStored(String json) {
        try {
            return List.of(JSON.readValue(json, String[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored prompt list is not a JSON array: " + json, e);
        }
    }
}

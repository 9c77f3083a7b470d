package tenshot.studio.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import tenshot.diffusion.train.TrainingRecipe;

/**
 * The run form's recipe: the chosen preset, with the fields of the form's settings box (a JSON
 * object of recipe fields) in place of the preset's. Refusals name the form field they are about.
 */
final class RunSettings {

    /** Two equal keys would leave it unclear which value the person meant. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RunSettings() {}

    /**
     * The recipe node to create the run with, {@code {"base": preset, ...settings}}, checked: an
     * unknown preset is refused as {@code recipe}, anything wrong in the settings as {@code settings}.
     *
     * @param settings JSON object text; blank for the preset as it is
     */
    static ObjectNode recipe(String preset, String settings) {
        String base = preset == null || preset.isBlank() ? TrainingRecipe.PRESETS.get(0) : preset.strip();
        try {
            TrainingRecipe.preset(base);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("recipe", e.getMessage());
        }
        ObjectNode node = overrides(settings);
        node.put("base", base);
        try {
            TrainingRecipe.fromJson(node.toString());
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("settings", e.getMessage());
        }
        return node;
    }

    private static ObjectNode overrides(String settings) {
        if (settings == null || settings.isBlank()) return JSON.createObjectNode();
        JsonNode tree;
        try {
            tree = JSON.readTree(settings);
        } catch (JsonProcessingException e) {
            throw ApiException.badField("settings", "not valid JSON: " + e.getOriginalMessage() + where(e.getLocation()));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw ApiException.badField("settings", "must be a JSON object of recipe fields, e.g. {\"steps\": 200}");
        }
        if (object.has("base")) {
            throw ApiException.badField("settings", "\"base\" is not a setting: choose the preset in the Recipe list");
        }
        return object;
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}

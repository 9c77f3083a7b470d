package tenshot.diffusion.train;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with {@code {object}} and {@code {id}} placeholders, e.g. {@code an image of {object} in
 * style_{id}} for instance prompts or {@code an image of {object}} for class prompts. Either
 * placeholder may be absent ({@code style_{id}} is a valid template); any other is an error.
 */
public record PromptTemplate(String template) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
    private static final Pattern TRAILING_NUMBERING = Pattern.compile("[\\s\\d]+$");

    public static final PromptTemplate DEFAULT_INSTANCE = new PromptTemplate("an image of {object} in style_{id}");
    public static final PromptTemplate DEFAULT_CLASS = new PromptTemplate("an image of {object}");

    public PromptTemplate {
        if (template == null || template.isBlank()) throw new IllegalArgumentException("prompt template is empty");
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!m.group(1).equals("object") && !m.group(1).equals("id")) {
                throw new IllegalArgumentException("prompt template '" + template + "' has unknown placeholder {"
                        + m.group(1) + "}: use {object} and {id}");
            }
        }
    }

    /**
     * A style set's own template for the object phrase (e.g. {@code "paper" painting of {object}}): it must
     * contain {@code {object}} and not {@code {id}}, which the recipe's prompt places.
     */
    public static PromptTemplate objectPhrase(String template) {
        PromptTemplate phrase = new PromptTemplate(template);
        if (!phrase.mentionsObject()) {
            throw new IllegalArgumentException("prompt template '" + template + "' must contain the object placeholder {object}");
        }
        if (template.contains("{id}")) {
            throw new IllegalArgumentException("prompt template '" + template + "' must not contain {id}: the recipe's prompt places the style token");
        }
        return phrase;
    }

    /**
     * The prompt for {@code object}: this template with {@code {object}} replaced by the style set's object
     * phrase ({@code objectPhrase}, or the object itself when null) and {@code {id}} by the style id.
     */
    public String render(String object, String styleId, PromptTemplate objectPhrase) {
        return render(objectPhrase == null ? object : objectPhrase.render(object, styleId), styleId);
    }

    public String render(String object, String styleId) {
        return template.replace("{object}", object).replace("{id}", styleId);
    }

    public boolean mentionsObject() {
        return template.contains("{object}");
    }

    /**
     * The object a training image shows, from its file name: extension stripped, underscores to spaces,
     * trailing digits and underscores dropped ({@code wallet_.png} and {@code olive_tree_02.jpg} give
     * "wallet" and "olive tree").
     */
    public static String objectFromFileName(String fileName) {
        String name = fileName;
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (slash >= 0) name = name.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        if (dot > 0) name = name.substring(0, dot);
        String spaced = name.replace('_', ' ');
        String object = TRAILING_NUMBERING.matcher(spaced).replaceAll("").trim().replaceAll("\\s+", " ");
        if (object.isEmpty()) {
            throw new IllegalArgumentException("file name '" + fileName + "' does not name an object (it needs letters)");
        }
        return object;
    }
}

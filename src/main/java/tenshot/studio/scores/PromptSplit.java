package tenshot.studio.scores;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which prompts of a dataset are hidden, per style; all others are public. Prompts compare without
 * case (a generated image's prompt is its file stem, which teams may case differently).
 */
public record PromptSplit(Map<String, Set<String>> hidden) {

    public static final PromptSplit NONE = new PromptSplit(Map.of());

    public PromptSplit {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        hidden.forEach((style, prompts) -> {
            if (!prompts.isEmpty()) copy.put(style, java.util.Collections.unmodifiableSet(new TreeSet<>(prompts)));
        });
        hidden = java.util.Collections.unmodifiableMap(copy);
    }

    public static PromptSplit of(Collection<HiddenPrompt> rows) {
        Map<String, Set<String>> hidden = new LinkedHashMap<>();
        for (HiddenPrompt p : rows) hidden.computeIfAbsent(p.style, s -> new TreeSet<>()).add(p.prompt);
        return new PromptSplit(hidden);
    }

    public boolean isEmpty() {
        return hidden.isEmpty();
    }

    public int size() {
        return hidden.values().stream().mapToInt(Set::size).sum();
    }

    public boolean isHidden(String style, String prompt) {
        Set<String> prompts = hidden.get(style);
        if (prompts == null) return false;
        String key = prompt.toLowerCase(Locale.ROOT);
        for (String p : prompts) if (p.toLowerCase(Locale.ROOT).equals(key)) return true;
        return false;
    }

    /** The split as JSON-friendly lists, styles and prompts sorted. */
    public Map<String, List<String>> asLists() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        hidden.forEach((style, prompts) -> out.put(style, List.copyOf(prompts)));
        return out;
    }
}

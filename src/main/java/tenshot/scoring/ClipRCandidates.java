package tenshot.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The official CLIP-R candidate rule: the candidate lines lowercased plus the image's own prompt (its
 * file stem) lowercased, deduplicated. The kit builds a Python set, whose order is arbitrary; here the
 * texts are sorted, which only matters for exact ties.
 */
public final class ClipRCandidates {

    private ClipRCandidates() {}

    public static List<String> forPrompt(List<String> lines, String prompt) {
        Set<String> texts = new TreeSet<>();
        for (String line : lines) {
            String t = line.strip().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) texts.add(t);
        }
        texts.add(prompt.toLowerCase(Locale.ROOT));
        return new ArrayList<>(texts);
    }
}

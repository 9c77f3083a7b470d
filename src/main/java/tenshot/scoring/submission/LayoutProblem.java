package tenshot.scoring.submission;

/** One thing wrong with an uploaded submission, naming the file (relative to the upload root). */
public record LayoutProblem(String file, Kind kind, String message) {

    public enum Kind {
        MISSING_STYLE, MISSING_PROMPT, EXTRA_FILE, UNREADABLE, NOT_RGB, WRONG_SIZE
    }
}

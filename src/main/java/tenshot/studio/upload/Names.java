package tenshot.studio.upload;

import java.util.Locale;

/**
 * Names that end up as file names: object names from uploaded file names, prompts (a generation is
 * saved as {@code {Prompt}.png}), style ids (a folder of the submission zip).
 */
public final class Names {

    public static final int MAX_LENGTH = 120;

    private Names() {}

    /**
     * The object an image shows, from its file name: extension stripped, underscores to spaces,
     * trailing digits and underscores dropped ({@code wallet_.png} → "wallet", {@code cypress_tree2.jpg}
     * → "cypress tree"). The file name itself must be a plain name, not a path.
     */
    public static String objectName(String fileName) {
        checkFileName(fileName, fileName);
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        stem = stem.replaceAll("[0-9_\\s]+$", "").replace('_', ' ').replaceAll("\\s+", " ").strip();
        if (stem.isEmpty()) {
            throw new UploadRejected(fileName, "the file name gives no object name (it is empty once the extension,"
                    + " underscores and trailing digits are removed)");
        }
        checkFileName(stem, fileName);
        return stem;
    }

    /**
     * Rejects anything that is not a valid single file name on common file systems: empty, '.' or
     * '..', separators, control characters, characters Windows forbids, or overlong.
     */
    public static void checkFileName(String name, String subject) {
        if (name == null || name.isBlank()) throw new UploadRejected(subject, "the name is empty");
        if (name.equals(".") || name.equals("..") || name.contains("..")) {
            throw new UploadRejected(subject, "the name must not contain '..' (path traversal)");
        }
        if (name.length() > MAX_LENGTH) {
            throw new UploadRejected(subject, "the name is " + name.length() + " characters; the limit is " + MAX_LENGTH);
        }
        if (!name.equals(name.strip())) {
            throw new UploadRejected(subject, "the name starts or ends with white space");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') throw new UploadRejected(subject, "the name contains a path separator '" + c + "'");
            if (c < 0x20 || c == 0x7f) throw new UploadRejected(subject, "the name contains a control character (code " + (int) c + ")");
            if ("<>:\"|?*".indexOf(c) >= 0) throw new UploadRejected(subject, "the name contains '" + c + "', which is not allowed in file names");
        }
    }

    /** Style ids name a folder of the submission zip: letters, digits, '-' and '_'. */
    public static String checkStyleId(String styleId, String subject) {
        if (styleId == null || !styleId.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new UploadRejected(subject, "a style id is 1-32 letters, digits, '-' or '_' (got '" + styleId + "')");
        }
        return styleId;
    }

    /** The key under which names count as the same (file systems that ignore case). */
    public static String sameKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}

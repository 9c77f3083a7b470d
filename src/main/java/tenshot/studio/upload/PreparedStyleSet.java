package tenshot.studio.upload;

import java.util.List;

/**
 * A style set that passed every check and whose images already sit in the artifact store under
 * {@code prefix}; it becomes visible once its rows are inserted.
 */
public record PreparedStyleSet(String name, String styleId, List<String> prompts, String prefix, List<Image> images) {

    /** One stored image. */
    public record Image(String objectName, String fileName, String artifactKey, int width, int height, String sha256) {}
}

package tenshot.studio.api;

import java.time.Instant;
import java.util.List;
import tenshot.store.StyleImage;
import tenshot.store.StyleSet;
import tenshot.studio.upload.PromptList;

/** A style set as the API shows it. */
public record StyleSetView(long id, String name, String styleId, long teamId, List<String> prompts,
        List<ImageView> images, Instant createdAt, String promptTemplate) {

    /** One style image and where to fetch it. */
    public record ImageView(int position, String objectName, String fileName, int width, int height, String sha256, String url) {}

    public static StyleSetView of(StyleSet set, List<StyleImage> images) {
        return new StyleSetView(set.id, set.name, set.styleId, set.teamId, PromptList.fromStored(set.prompts),
                images.stream().map(i -> new ImageView(i.position, i.objectName, i.fileName, i.width, i.height, i.sha256,
                        "/api/style-sets/" + set.id + "/images/" + i.position)).toList(),
                set.createdAt, set.promptTemplate);
    }
}

package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Locator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/** The upload module's checks before anything is sent, in a real Chromium with real style images. */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class UploadValidationBrowserTest extends BrowserTest {

    @Test
    void droppedStyleSetShowsThumbnailsNamedLikeTheServerAndFlagsABadFile() throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            images.filter(p -> p.toString().endsWith(".png")).sorted().forEach(files::add);
        }
        files.add(style.resolve("prompt.json"));
        Path bad = Files.createDirectories(Path.of("target", "ui-fixtures")).resolve("broken_vase.png");
        Files.writeString(bad, "this is text, not a picture", StandardCharsets.UTF_8);
        files.add(bad);

        page.navigate("test-pages/upload.html");
        BrowserDrops.dropFiles(page, "#drop-zone", files);

        Locator thumbs = page.locator("#ts-thumbs > li");
        assertThat(thumbs).hasCount(11);
        assertThat(page.locator("#ts-thumbs > li[data-file='cypress_tree.png'] .ts-object")).hasText("cypress tree");
        Locator badCard = page.locator("#ts-thumbs > li[data-file='broken_vase.png']");
        assertThat(badCard).hasClass(java.util.regex.Pattern.compile("\\bbad\\b"));
        assertThat(badCard.locator(".ts-file-errors")).containsText("is not a PNG or JPEG image");
        assertThat(page.locator("#ts-prompts h3")).containsText("Prompts (25)");
        assertThat(page.locator("#ts-summary")).hasText("11 images, 1 with problems");
        assertThat(page.locator("#ts-upload")).isDisabled();
        screenshot("upload-validation-error");

        badCard.locator(".ts-remove").click();
        page.fill("#ts-set-name", "Jittor A 00");
        assertThat(thumbs).hasCount(10);
        assertThat(page.locator("#ts-upload")).isEnabled();
        screenshot("upload-ready");
        assertEquals(List.of(), scriptErrors());
    }

    @Test
    void aDroppedFolderIsWalkedAndNamesTheStyleSet() throws IOException {
        // a copy of the style folder with a subfolder and an OS dropping, as people's folders have
        Path folder = Path.of("target", "ui-fixtures", "folder-drop", "03");
        Path style = Fixtures.dataset("jittor-a/00");
        Files.createDirectories(folder.resolve("images"));
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.filter(p -> p.toString().endsWith(".png")).sorted().limit(4).toList()) {
                Files.copy(image, folder.resolve("images").resolve(image.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(style.resolve("prompt.json"), folder.resolve("prompt.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(folder.resolve(".DS_Store"), "junk");

        page.navigate("test-pages/upload.html");
        BrowserDrops.dropFolder(page, "#drop-zone", folder);
        assertThat(page.locator("#ts-thumbs > li")).hasCount(4);
        assertThat(page.locator("#ts-thumbs > li").first()).hasAttribute("data-file", java.util.regex.Pattern.compile("^03/images/.+\\.png$"));
        assertThat(page.locator("#ts-prompts h3")).containsText("Prompts (25) from 03/prompt.json");
        assertThat(page.locator("#ts-set-name")).hasValue("03");
        assertThat(page.locator("#ts-style-id")).hasValue("03");
        assertThat(page.locator("#ts-upload")).isEnabled();
        screenshot("upload-folder-dropped");
        assertEquals(List.of(), scriptErrors());
    }
}

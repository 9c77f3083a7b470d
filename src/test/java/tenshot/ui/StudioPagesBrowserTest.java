package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.microsoft.playwright.CDPSession;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/** The studio's own pages with the bundle: upload by drag and drop, then the runs and leaderboard pages. */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class StudioPagesBrowserTest extends BrowserTest {

    @Test
    void styleSetDroppedOnTheStudioPageIsStoredAndShown() throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            images.filter(p -> p.toString().endsWith(".png")).sorted().forEach(files::add);
        }
        files.add(style.resolve("prompt.json"));

        page.navigate("style-sets");
        assertThat(page.locator("#drop-zone")).isVisible();
        assertThat(page.locator("#upload-form")).isHidden();
        screenshot("style-sets");
        BrowserDrops.dropFiles(page, "#drop-zone", files);
        assertThat(page.locator("#ts-thumbs > li")).hasCount(10);
        page.fill("#ts-set-name", "Jittor A 00");
        page.fill("#ts-style-id", "00");
        screenshot("style-sets-dropped");
        // uploads here take a blink: slowed to 4 MB/s (the set is about 19 MB), the progress bar can be seen moving
        CDPSession network = context.newCDPSession(page);
        network.send("Network.enable");
        network.send("Network.emulateNetworkConditions", throttledUpload(4 * 1024 * 1024));
        page.click("#ts-upload");
        page.waitForFunction("() => { const p = document.getElementById('ts-progress'); return !p.hidden && p.value > 0 && p.value < 100; }");
        assertThat(page.locator("#ts-progress-text")).hasText(Pattern.compile("Uploading \\d+% \\(.+ of .+\\)"));
        screenshot("style-sets-uploading");
        page.waitForURL(Pattern.compile(".*/style-sets/\\d+$"), new com.microsoft.playwright.Page.WaitForURLOptions().setTimeout(120_000));
        assertThat(page.locator("figure[data-object='cypress tree']")).hasCount(1);
        assertThat(page.locator("#run-form")).isVisible();
        waitForImages();
        screenshot("style-set");
        assertEquals(List.of(), scriptErrors());
    }

    /** Chromium's network emulation: only the upload slowed down. */
    private static JsonObject throttledUpload(int bytesPerSecond) {
        JsonObject conditions = new JsonObject();
        conditions.addProperty("offline", false);
        conditions.addProperty("latency", 0);
        conditions.addProperty("downloadThroughput", -1);
        conditions.addProperty("uploadThroughput", bytesPerSecond);
        return conditions;
    }

    @Test
    void runsAndLeaderboardPagesRenderWithTheBundle() {
        page.navigate("runs");
        assertThat(page.locator("h1")).hasText("Runs");
        assertThat(page.locator("h2", new com.microsoft.playwright.Page.LocatorOptions().setHasText("Workers"))).hasCount(1);
        // the live view takes over once the page's one event stream has sent its snapshot
        assertThat(page.locator("#workers-list > li").first()).isVisible();
        screenshot("runs");
        page.navigate("leaderboard");
        screenshot("leaderboard");
        assertEquals(List.of(), scriptErrors());
    }
}

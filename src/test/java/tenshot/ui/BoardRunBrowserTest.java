package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/**
 * A board run over three style sets of the A board on the demo model, watched in the browser: the board
 * page shows every style's training step, loss curve and preview as they stream in and the whole board's
 * progress; once done, each style's grid of images and downloads, the submission zip in the challenge
 * layout, and the board scorecard, which goes to the leaderboard as one submission.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class BoardRunBrowserTest extends BrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STYLES = List.of("00", "01", "02");
    private static final int PROMPTS = 5;
    /** BoardRunTest's small recipe with enough steps to watch, and a preview of each style every 8 steps. */
    private static final String RECIPE = "{\"base\":\"baseline\",\"steps\":24,\"resolution\":64,\"previewEvery\":8,"
            + "\"previewSteps\":2,\"checkpointEvery\":0,\"generation\":{\"steps\":2}}";
    private static final LocatorAssertions.HasTextOptions LONG = new LocatorAssertions.HasTextOptions().setTimeout(300_000);

    @Test
    void boardPageShowsEveryStyleLiveThenItsResultsZipAndScorecardAndSubmitsOnce() throws IOException {
        page.navigate("runs");
        StudioApi api = new StudioApi(page);
        List<Long> sets = new ArrayList<>();
        Set<String> expectedZip = new TreeSet<>();
        for (String style : STYLES) {
            Path dir = Fixtures.dataset("jittor-a/" + style);
            // the style's first prompts and images: the whole A board's 25 prompts each would triple the test's time
            ObjectNode prompts = JSON.createObjectNode();
            JsonNode all = JSON.readTree(dir.resolve("prompt.json").toFile());
            for (int i = 0; i < PROMPTS; i++) {
                prompts.set(String.valueOf(i), all.get(String.valueOf(i)));
                expectedZip.add(style + "/" + all.get(String.valueOf(i)).asText() + ".png");
            }
            try (Stream<Path> images = Files.list(dir.resolve("images"))) {
                sets.add(api.uploadStyleSet("Board " + style, style, images.sorted().limit(4).toList(), prompts.toString()));
            }
        }
        expectedZip.add("config.json");
        long run = api.startBoard(sets, RECIPE);

        page.navigate("runs/" + run);
        assertThat(page.locator("h1")).containsText("board of 3 styles");
        Locator cards = page.locator("#board-styles article[data-style-id]");
        assertThat(cards).hasCount(3);
        // every style trains in the same passes: each card follows its own step, loss curve and preview
        for (String style : STYLES) {
            Locator card = page.locator("#board-styles article[data-style-id='" + style + "']");
            assertThat(card.locator(".ts-board-training")).hasText(Pattern.compile("Training: step \\d+ of 24, loss \\d+\\.\\d{4}"), LONG);
            assertThat(card.locator(".ts-board-chart")).hasAttribute("aria-label",
                    Pattern.compile("Training loss of style " + style + " by step: ([2-9]|[1-9]\\d+) points.*"),
                    new LocatorAssertions.HasAttributeOptions().setTimeout(300_000));
            assertThat(card.locator(".ts-board-preview")).hasAttribute("src",
                    Pattern.compile("/api/jobs/\\d+/preview\\?part=" + style + "&n=\\d+"), new LocatorAssertions.HasAttributeOptions().setTimeout(300_000));
        }
        screenshot("board-live");

        // done: the page reloads with each style's images and downloads, the zip and the board's scorecard
        assertThat(page.locator(".ts-status-line")).hasAttribute("data-status", Pattern.compile("succeeded", Pattern.CASE_INSENSITIVE),
                new LocatorAssertions.HasAttributeOptions().setTimeout(600_000));
        // the status changes just before the page reloads itself with the results
        assertThat(page.locator("#scorecard [data-metric='hist']")).hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(60_000));
        for (String style : STYLES) {
            Locator card = page.locator("#board-styles article[data-style-id='" + style + "']");
            assertThat(card.locator(".ts-board-training")).hasText(Pattern.compile("Training: step 24 of 24, loss \\d+\\.\\d{4}"));
            assertThat(card.locator("figure[data-prompt]")).hasCount(PROMPTS);
            assertThat(card.locator("a[download]", new Locator.LocatorOptions().setHasText("Grid of style " + style))).hasCount(1);
            assertThat(card.locator("a[download]", new Locator.LocatorOptions().setHasText("LoRA of style " + style))).hasCount(1);
        }
        waitForImages();
        screenshot("board-done");
        page.locator("#board-styles article[data-style-id='01'] figure img").first().click();
        assertThat(page.locator("#lightbox-title")).hasText(page.locator("#board-styles article[data-style-id='01'] figure").first()
                .getAttribute("data-prompt"));
        page.keyboard().press("Escape");

        Download download = page.waitForDownload(() -> page.locator("a[download]",
                new Page.LocatorOptions().setHasText("Images (submission zip)")).click());
        Set<String> names = new TreeSet<>();
        try (InputStream raw = Files.newInputStream(download.path()); ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertEquals(expectedZip, names, "NN/{Prompt}.png for every prompt of every style");

        // one submission for the whole board, its row showing the board scorecard's colour histogram
        String dataset = "board-" + run;
        page.locator("#scorecard input[name=dataset]").fill(dataset);
        page.locator("#scorecard button", new Page.LocatorOptions().setHasText("Submit to the leaderboard")).click();
        page.waitForURL(Pattern.compile(".*/leaderboard\\?dataset=" + dataset + ".*"));
        Locator rows = page.locator("tr[data-team]");
        assertThat(rows).hasCount(1);
        assertThat(rows.first().locator("td").nth(3 + 6)).hasText(String.valueOf(run));
        JsonNode board = JSON.readTree(page.request().get("/api/leaderboard?dataset=" + dataset).text());
        JsonNode card = JSON.readTree(page.request().get("/api/runs/" + run + "/scorecard.json").text());
        double hist = 0;
        for (JsonNode m : card.get("metrics")) if (m.get("metric").asText().equals("hist")) hist = m.get("value").asDouble();
        assertEquals(hist, board.at("/rows/0/submission/metrics/hist").asDouble(), 1e-12);
        screenshot("board-leaderboard");
        assertEquals(List.of(), scriptErrors());
    }
}

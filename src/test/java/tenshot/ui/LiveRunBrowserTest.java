package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/**
 * A run watched while it trains on the demo model: the run page's loss curve gets points and its
 * preview image loads and is replaced by newer ones; the runs page words every state; a running run
 * is cancelled, retried (it runs again), and cancelled from its own page, whose buttons follow its state.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class LiveRunBrowserTest extends BrowserTest {

    /** Long enough to watch (it is cancelled), small enough to step quickly; a preview every 3 steps. */
    static final String LONG_TRAINING = "{\"base\":\"baseline\",\"steps\":4000,\"resolution\":64,\"previewEvery\":3,"
            + "\"previewSteps\":2,\"checkpointEvery\":0,\"generation\":{\"steps\":2}}";
    static final String SHORT_RUN = "{\"base\":\"baseline\",\"steps\":2,\"resolution\":64,\"previewEvery\":0,"
            + "\"generation\":{\"steps\":2}}";
    static final LocatorAssertions.HasTextOptions LONG = new LocatorAssertions.HasTextOptions().setTimeout(300_000);

    static List<Path> styleImages() throws IOException {
        try (Stream<Path> images = Files.list(Fixtures.dataset("jittor-a/00").resolve("images"))) {
            return images.filter(p -> p.toString().endsWith(".png")).sorted().limit(3).toList();
        }
    }

    @Test
    void trainingShowsItsLossCurveAndPreviewsLiveAndCanBeCancelledAndRetried() throws IOException {
        page.navigate("runs");
        StudioApi api = new StudioApi(page);
        long set = api.uploadStyleSet("Live run", "08", styleImages(), "{\"0\": \"Dolphin\", \"1\": \"Bread\"}");
        long run = api.startRun(set, LONG_TRAINING);

        page.navigate("runs/" + run);
        Locator status = page.locator(".ts-status-line");
        assertThat(status).hasText(Pattern.compile("training \\d+/4000"), LONG);
        assertThat(page.locator("#run-cancel")).isVisible();
        assertThat(page.locator("#run-retry")).isHidden();

        // the curve gets a point per progress report: wait for several
        Locator chart = page.locator("#loss-chart");
        assertThat(chart).hasAttribute("aria-label", Pattern.compile("Training loss by step: ([3-9]|[1-9]\\d+) points"),
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertThat(chart.locator("canvas")).hasCount(1);
        assertThat(page.locator("#loss-note")).isHidden();

        // the latest preview loads, and a newer one replaces it
        Locator preview = page.locator("#run-preview-img");
        assertThat(preview).hasAttribute("src", Pattern.compile("/api/jobs/\\d+/preview\\?n=\\d+"),
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        page.waitForFunction("() => { const i = document.getElementById('run-preview-img'); return i.complete && i.naturalWidth > 0; }");
        String first = preview.getAttribute("src");
        page.waitForFunction("first => { const i = document.getElementById('run-preview-img');"
                + " return i.getAttribute('src') !== first && i.complete && i.naturalWidth > 0; }", first,
                new com.microsoft.playwright.Page.WaitForFunctionOptions().setTimeout(180_000));
        assertNotEquals(first, preview.getAttribute("src"));
        screenshot("run-live-training");

        // a second run waits behind it, and the runs page says so
        long waiting = api.startRun(set, SHORT_RUN);
        page.navigate("runs");
        Locator row = page.locator("#runs-table tr[data-run-id='" + run + "']");
        Locator waitingRow = page.locator("#runs-table tr[data-run-id='" + waiting + "']");
        assertThat(row.locator(".ts-status")).hasText(Pattern.compile("training \\d+/4000, [\\d.]+ s/step, .+ left"), LONG);
        assertThat(waitingRow.locator(".ts-status")).hasText(Pattern.compile("waiting for a GPU, position \\d+.*"));
        assertThat(waitingRow.locator("button.cancel")).isVisible();
        // the workers panel says which device runs what
        assertThat(page.locator("#workers-list")).containsText("training Run #" + run);
        screenshot("runs-live");

        // cancel the training run: it stops, and offers a retry instead
        row.locator("button.cancel").click();
        assertThat(row.locator(".ts-status")).hasText("cancelled", LONG);
        assertThat(row.locator("button.cancel")).hasCount(0);
        // the waiting run gets the worker and finishes
        assertThat(waitingRow.locator(".ts-status")).hasText("done", LONG);
        row.locator("button.retry").click();
        assertThat(row.locator(".ts-status")).hasText(Pattern.compile("training \\d+/4000.*"), LONG);
        assertThat(row.locator("button.retry")).hasCount(0);
        screenshot("runs-retried");

        // its own page offers Cancel while it runs, then Retry once cancelled
        page.navigate("runs/" + run);
        assertThat(page.locator("#run-retry")).isHidden();
        page.locator("#run-cancel button").click();
        assertThat(page.locator(".ts-status-line")).hasAttribute("data-status", Pattern.compile("cancelled", Pattern.CASE_INSENSITIVE),
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertThat(page.locator("#run-retry")).isVisible();
        assertThat(page.locator("#run-cancel")).isHidden();
        // the training job stops at its next step: no job of the run is left running
        page.waitForCondition(() -> {
            for (var job : api.run(run).get("jobs")) if (!"CANCELLED".equals(job.get("state").asText())) return false;
            return true;
        }, new com.microsoft.playwright.Page.WaitForConditionOptions().setTimeout(120_000));
        assertEquals("CANCELLED", api.run(run).get("status").asText());
        assertEquals(List.of(), scriptErrors());
    }

    @Test
    void twoFinishedRunsCompareSideBySideOnTheirPrompts() throws IOException {
        page.navigate("runs");
        StudioApi api = new StudioApi(page);
        long set = api.uploadStyleSet("Compare", "09", styleImages(), "{\"0\": \"Dolphin\", \"1\": \"Bread\"}");
        long a = api.startRun(set, SHORT_RUN);
        long b = api.startRun(set, SHORT_RUN.replace("\"steps\":2,", "\"steps\":3,"));

        page.navigate("runs");
        for (long id : List.of(a, b)) {
            assertThat(page.locator("#runs-table tr[data-run-id='" + id + "'] .ts-status")).hasText("done", LONG);
        }
        page.navigate("runs/" + a);
        assertThat(page.locator("#run-cancel")).isHidden();
        assertThat(page.locator("#run-retry")).isHidden();
        // the results are shown once: the style images, then one image per prompt; the grid PNG is a download
        assertThat(page.locator("#run-style-images figure")).hasCount(3);
        assertThat(page.locator("#run-grid figure")).hasCount(2);
        assertThat(page.locator("img.ts-grid")).hasCount(0);
        assertThat(page.locator("a[download]", new com.microsoft.playwright.Page.LocatorOptions().setHasText("Grid"))).hasCount(1);

        page.selectOption("#compare-with", String.valueOf(b));
        Locator rows = page.locator("#compare-result tbody tr");
        assertThat(rows).hasCount(2);
        assertThat(page.locator("#compare-result thead th").nth(2)).containsText("Run #" + b);
        assertThat(rows.locator("th")).containsText(new String[] {"Dolphin", "Bread"});
        Locator bread = page.locator("#compare-result tbody tr", new com.microsoft.playwright.Page.LocatorOptions().setHasText("Bread"));
        assertThat(bread.locator("img").nth(0)).hasAttribute("src", Pattern.compile("/runs/" + a + "/images/Bread\\.png$"));
        assertThat(bread.locator("img").nth(1)).hasAttribute("src", Pattern.compile("/runs/" + b + "/images/Bread\\.png$"));
        waitForImages();
        screenshot("run-compare");
        bread.locator("img").nth(1).click();
        assertThat(page.locator("#lightbox-title")).hasText("Bread");
        page.keyboard().press("Escape");
        assertEquals(List.of(), scriptErrors());
    }
}

package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A run that fails for real on the demo model, and what the pages say about it: "failed: <reason>"
 * and a Retry button, on the runs page and on the run's own page.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class FailedRunBrowserTest extends BrowserTest {

    /**
     * Trains fine, then cannot generate: img2img keeps the last int(steps × strength) denoising steps,
     * and int(2 × 0.1) is none. The scheduler refuses that, and GENERATE fails on every attempt.
     */
    static final String NO_DENOISING_STEP_LEFT = "{\"base\":\"baseline\",\"steps\":2,\"resolution\":64,\"previewEvery\":0,"
            + "\"generation\":{\"start\":\"average-style-image\",\"strength\":0.1,\"steps\":2}}";
    static final Pattern REASON = Pattern.compile("failed: generate: .*strength 0\\.1 with 2 steps leaves no step to run");

    @Test
    void aFailedRunSaysWhyAndOffersARetry() throws IOException {
        page.navigate("runs");
        StudioApi api = new StudioApi(page);
        long set = api.uploadStyleSet("Failing run", "11", LiveRunBrowserTest.styleImages(), "{\"0\": \"Dolphin\"}");
        long run = api.startRun(set, NO_DENOISING_STEP_LEFT);

        page.navigate("runs");
        Locator row = page.locator("#runs-table tr[data-run-id='" + run + "']");
        // GENERATE is tried three times, with the queue's back-off between attempts
        assertThat(row.locator(".ts-status")).hasText(REASON, LiveRunBrowserTest.LONG);
        assertThat(row.locator("button.retry")).isVisible();
        assertThat(row.locator("button.cancel")).hasCount(0);
        screenshot("runs-failed");

        List<String> loads = new ArrayList<>();
        page.onLoad(p -> loads.add(p.url()));
        page.navigate("runs/" + run);
        // the server writes the status in its own terms; the bundle words it as the runs page does
        assertThat(page.locator(".ts-status-line")).hasText(REASON, new LocatorAssertions.HasTextOptions().setTimeout(60_000));
        assertThat(page.locator("#run-retry")).isVisible();
        assertThat(page.locator("#run-cancel")).isHidden();
        screenshot("run-failed");
        assertEquals(1, loads.size(), "a finished run's page does not reload itself: " + loads);

        // Retry queues the failed job again; cancel it, as it would only fail again
        page.locator("#run-retry button").click();
        assertThat(page.locator(".ts-status-line")).not().hasText(Pattern.compile("failed"));
        assertThat(page.locator("#run-cancel")).isVisible();
        page.locator("#run-cancel button").click();
        assertThat(page.locator(".ts-status-line")).hasAttribute("data-status", Pattern.compile("cancelled", Pattern.CASE_INSENSITIVE),
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertEquals(List.of(), scriptErrors());
    }
}

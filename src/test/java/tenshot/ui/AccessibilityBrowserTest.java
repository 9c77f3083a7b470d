package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every page, as the bundle leaves it, audited by axe-core (the npm package, injected from
 * node_modules: nothing from a CDN): no serious or critical violation. Each page also fits a laptop
 * screen (no sideways scrolling at 1366 px or 1280 px) and is reachable from the keyboard.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class AccessibilityBrowserTest extends BrowserTest {

    static final Path AXE = Path.of("src", "main", "webui", "node_modules", "axe-core", "axe.min.js");

    @Test
    void everyPageHasNoSeriousAccessibilityProblemAndFitsALaptopScreen() throws IOException {
        if (!Files.isRegularFile(AXE)) throw new IllegalStateException(AXE + " is missing: run npm ci in src/main/webui");
        page.navigate("runs");
        StudioApi api = new StudioApi(page);
        long set = api.uploadStyleSet("Audit", "10", LiveRunBrowserTest.styleImages(), "{\"0\": \"Dolphin\", \"1\": \"Bread\"}");
        long run = api.startRun(set, LiveRunBrowserTest.SHORT_RUN);

        List<String> problems = new ArrayList<>();
        page.navigate("style-sets");
        audit("style sets and upload", problems);
        page.navigate("style-sets/" + set);
        audit("style set with its run form", problems);
        page.navigate("runs");
        assertThat(page.locator("#runs-table tr[data-run-id='" + run + "'] .ts-status")).hasText("done",
                new LocatorAssertions.HasTextOptions().setTimeout(300_000));
        audit("runs", problems);
        page.navigate("runs/" + run);
        audit("finished run", problems);
        page.locator("#run-grid figure img").first().focus();
        page.keyboard().press("Enter");
        assertThat(page.locator("#lightbox")).isVisible();
        audit("image full size", problems);
        page.keyboard().press("Escape");
        page.navigate("leaderboard");
        audit("leaderboard", problems);
        page.navigate("test-pages/upload.html");
        audit("upload harness", problems);
        assertEquals(List.of(), problems, String.join("\n", problems));
        assertEquals(List.of(), scriptErrors());
    }

    @Test
    void theMainNavigationAndTheUploadButtonsAreReachedWithTheTabKeyAndShowFocus() {
        page.navigate("style-sets");
        page.waitForFunction("() => document.getElementById('ts-choose-folder') !== null");
        List<String> reached = new ArrayList<>();
        for (int i = 0; i < 20 && !reached.contains("ts-choose-folder"); i++) {
            page.keyboard().press("Tab");
            reached.add((String) page.evaluate("() => { const e = document.activeElement;"
                    + " return e.id || e.getAttribute('href') || e.textContent.trim(); }"));
        }
        assertTrue(reached.contains("/runs"), "Tab reaches the Runs link: " + reached);
        assertTrue(reached.contains("ts-set-name"), "Tab reaches the name field: " + reached);
        assertTrue(reached.contains("ts-choose-files") && reached.contains("ts-choose-folder"),
                "Tab reaches both upload buttons: " + reached);
        assertTrue((Boolean) page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                + " return s.outlineStyle !== 'none' && s.outlineWidth !== '0px'; }"), "the focused button shows its focus");
    }

    /** axe-core's serious and critical violations on the current page, and any sideways overflow. */
    @SuppressWarnings("unchecked")
    private void audit(String what, List<String> problems) {
        page.waitForLoadState();
        page.waitForFunction("() => document.documentElement.classList.contains('js')");
        page.addScriptTag(new Page.AddScriptTagOptions().setPath(AXE));
        Map<String, Object> result = (Map<String, Object>) page.evaluate("""
                async () => { const r = await axe.run(document, { resultTypes: ['violations'] });
                  return { rulesPassed: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary) })) }; }""");
        assertTrue(((Number) result.get("rulesPassed")).intValue() > 10, what + ": axe checked the page: " + result);
        for (Map<String, Object> v : (List<Map<String, Object>>) result.get("violations")) {
            String line = what + ": " + v.get("impact") + " " + v.get("id") + " (" + v.get("help") + ") at " + v.get("nodes");
            if ("serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))) problems.add(line);
            else System.out.println("[axe, not failing] " + line);
        }
        for (int width : new int[] {1366, 1280}) {
            page.setViewportSize(width, 768);
            Object overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            if (((Number) overflow).intValue() > 0) problems.add(what + ": " + overflow + " px wider than a " + width + " px screen");
        }
        page.setViewportSize(1366, 768);
        screenshot("a11y-" + what.replace(' ', '-'), false);
    }
}

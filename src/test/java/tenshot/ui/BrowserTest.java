package tenshot.ui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.ConsoleMessage;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import tenshot.studio.access.AccountRole;
import tenshot.studio.access.TestAccounts;

/**
 * Drives the real studio (started by @QuarkusTest on the test database) in the machine's Chromium,
 * headless, through Playwright. Every test gets a fresh browser context sized like a laptop screen;
 * {@link #screenshot} saves what the page shows into target/screenshots/ for review.
 */
public abstract class BrowserTest {

    /** Debian's Chromium; Playwright never downloads a browser here (there is no internet). */
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TENSHOT_CHROMIUM", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage");

    static Playwright playwright;
    static Browser browser;

    @TestHTTPResource("/")
    URL root;

    protected BrowserContext context;
    protected Page page;
    /** Errors the page's scripts logged or threw; a test can assert there were none. */
    protected final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void launchBrowser() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException("browser tests need Chromium at " + CHROMIUM
                    + " (apt-get install -y chromium; .ci/run installs it), or TENSHOT_CHROMIUM pointing at one");
        }
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(CHROMIUM_FLAGS));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        browser = null;
        playwright = null;
    }

    /** On failure, what the page showed goes to target/screenshots/FAILED-{test}.png, with the page's errors. */
    @RegisterExtension
    final AfterTestExecutionCallback screenshotOnFailure = ctx -> {
        if (ctx.getExecutionException().isPresent() && page != null && !page.isClosed()) {
            screenshot("FAILED-" + ctx.getRequiredTestMethod().getName());
            pageErrors.forEach(e -> System.err.println("[browser] " + e));
        }
    };

    @BeforeEach
    void openPage() {
        context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(1366, 768)
                .setAcceptDownloads(true)
                .setBaseURL(root.toString()));
        context.setDefaultTimeout(20_000);
        page = context.newPage();
        pageErrors.clear();
        page.onPageError(error -> pageErrors.add("page error: " + error));
        page.onConsoleMessage((ConsoleMessage m) -> {
            if ("error".equals(m.type())) pageErrors.add("console error: " + m.text());
        });
        signIn();
    }

    /** Signs the browser in through the sign-in page as the operator (organiser of team "default"). */
    protected void signIn() {
        TestAccounts.ensure("operator", AccountRole.ORGANISER, "default");
        page.navigate("/login");
        page.getByLabel("User name").fill("operator");
        page.getByLabel("Password").fill(TestAccounts.PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        page.waitForURL("**/style-sets");
    }

    @AfterEach
    void closePage() {
        if (context != null) context.close();
    }

    /** Saves the whole page as target/screenshots/{name}.png. */
    protected Path screenshot(String name) {
        return screenshot(name, true);
    }

    /** Saves the page as target/screenshots/{name}.png: all of it, or what the viewport shows (for dialogs). */
    protected Path screenshot(String name, boolean fullPage) {
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + SCREENSHOTS, e);
        }
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(fullPage));
        return file;
    }

    /** Loads every image on the page (lazy ones too) and waits until each has decoded real pixels. */
    protected void waitForImages() {
        page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')");
        page.waitForFunction("() => [...document.images].filter(i => i.getAttribute('src')).every(i => i.complete && i.naturalWidth > 0)");
    }

    /** Errors from the page other than failed resource loads the test provoked on purpose. */
    protected List<String> scriptErrors() {
        return pageErrors.stream().filter(e -> !e.contains("Failed to load resource")).toList();
    }
}

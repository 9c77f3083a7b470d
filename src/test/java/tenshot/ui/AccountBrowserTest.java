package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** Signing in and out, the account page's tokens, and what a visitor may see, in Chromium. */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class AccountBrowserTest extends BrowserTest {

    @Test
    void aTokenIsShownOnceAndCanBeRevokedThenSignOut() {
        page.navigate("/account");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("operator"))).isVisible();
        page.getByLabel("Name").fill("browser script");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make a token")).click();
        assertThat(page.locator("#new-token")).containsText("tsk_");
        assertThat(page.locator("#new-token")).containsText("only time it is shown");
        screenshot("account-new-token");

        page.navigate("/account");
        assertThat(page.locator("#new-token")).hasCount(0);
        assertThat(page.locator("#tokens")).containsText("browser script");
        page.locator("#tokens tr", new Page.LocatorOptions().setHasText("browser script"))
                .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke")).first().click();
        assertThat(page.locator("#tokens tr", new Page.LocatorOptions().setHasText("browser script")).first()).containsText("revoked");
        screenshot("account");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out").setExact(true)).click();
        page.waitForURL("**/login");
        page.navigate("/runs");
        page.waitForURL("**/login?next=%2Fruns");
        assertTrue(scriptErrors().isEmpty(), "script errors: " + scriptErrors());
    }

    @Test
    void visitorsSeeTheLeaderboardAndAreAskedToSignInForTheRest() {
        try (BrowserContext visitor = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 768)
                .setBaseURL(root.toString()))) {
            Page p = visitor.newPage();
            p.navigate("/leaderboard");
            assertThat(p.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Leaderboard"))).isVisible();
            assertThat(p.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in"))).isVisible();
            p.navigate("/style-sets");
            p.waitForURL("**/login?next=%2Fstyle-sets");
            p.getByLabel("User name").fill("operator");
            p.getByLabel("Password").fill("not the password");
            p.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            assertThat(p.getByRole(AriaRole.ALERT)).containsText("wrong user name or password");
            p.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("login-refused.png")).setFullPage(true));
            p.getByLabel("Password").fill(tenshot.studio.access.TestAccounts.PASSWORD);
            p.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            p.waitForURL("**/style-sets");
            assertThat(p.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Account"))).containsText("operator");
        }
    }
}

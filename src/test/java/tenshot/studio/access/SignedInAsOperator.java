package tenshot.studio.access;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(SignedInAsOperator.class)}: every test of the class sends its requests as the
 * operator (organiser of team "default"), and goes back to a visitor afterwards. Tests about access
 * sign in as someone else with {@link TestAccounts}.
 */
public class SignedInAsOperator implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        TestAccounts.operator().forAllRequests();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestAccounts.signOut();
    }
}

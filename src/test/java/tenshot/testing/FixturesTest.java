package tenshot.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing fixture skips a developer's test but fails a release gate. */
class FixturesTest {

    @Test
    void aMissingFixtureFailsWhenFixturesAreRequired() {
        String previous = System.getProperty("tenshot.fixtures.required");
        System.setProperty("tenshot.fixtures.required", "true");
        try {
            IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Fixtures.shared("no/such/fixture"));
            assertTrue(missing.getMessage().contains("no/such/fixture"), missing.getMessage());
        } finally {
            if (previous == null) System.clearProperty("tenshot.fixtures.required");
            else System.setProperty("tenshot.fixtures.required", previous);
        }
    }

    @Test
    void aMissingFixtureSkipsOnlyOutsideCi() {
        Class<? extends Throwable> expected = Fixtures.required() ? IllegalStateException.class : TestAbortedException.class;
        assertThrows(expected, () -> Fixtures.shared("no/such/fixture"));
    }
}

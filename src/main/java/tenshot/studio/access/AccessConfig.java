package tenshot.studio.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Sign-in settings ({@code tenshot.access.*}, see docs/access.md). */
@ConfigMapping(prefix = "tenshot.access")
public interface AccessConfig {

    /** bcrypt's cost: 2^cost rounds. 12 takes about a quarter second on a server core. */
    @WithDefault("12")
    int bcryptCost();

    /** How long a session cookie stays valid after sign-in. */
    @WithDefault("P14D")
    Duration sessionLifetime();

    /** How long an invitation code may be used. */
    @WithDefault("P7D")
    Duration invitationLifetime();

    /** When true anyone may sign up and found a new team; otherwise only with an organiser's invitation. */
    @WithDefault("false")
    boolean openSignup();

    /** Wrong passwords in a row before an account is locked. */
    @WithDefault("5")
    int lockoutAttempts();

    /** How long a locked account stays locked. */
    @WithDefault("PT15M")
    Duration lockoutDuration();
}

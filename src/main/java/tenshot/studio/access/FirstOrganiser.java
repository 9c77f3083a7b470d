package tenshot.studio.access;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A fresh server has no accounts, so nobody could sign in: at start it makes an invitation for the first
 * organiser (of team "default", so that one person can also run things) and logs its sign-up link.
 * Nothing happens once any account exists.
 */
@ApplicationScoped
public class FirstOrganiser {

    private static final Logger LOG = Logger.getLogger(FirstOrganiser.class);

    void onStart(@Observes StartupEvent start, Accounts accounts, Invitations invitations,
                 @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port,
                 @ConfigProperty(name = "tenshot.role", defaultValue = "all") String role) {
        if ("worker".equals(role)) return;
        Boolean any = accounts.any().await().atMost(Duration.ofSeconds(30));
        if (any) return;
        Invitations.Created invitation = invitations.create(AccountRole.ORGANISER, "default", null)
                .await().atMost(Duration.ofSeconds(30));
        LOG.infof("No accounts yet. Create the first organiser (team 'default') at http://localhost:%d/signup?code=%s"
                + " (valid until %s)", port, invitation.code(), invitation.expiresAt());
    }
}

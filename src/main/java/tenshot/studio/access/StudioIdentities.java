package tenshot.studio.access;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The account behind an API token or a session cookie, as a {@link SecurityIdentity} whose one role
 * is the account's ({@link AccountRole#ORGANISER_ROLE} or {@link AccountRole#MEMBER_ROLE}), so that
 * endpoints say who may call them with {@code @RolesAllowed}.
 */
@ApplicationScoped
public class StudioIdentities implements IdentityProvider<StudioAuthentication.Credentials> {

    /** The {@link Caller.Identity} behind the security identity. */
    static final String ACCOUNT = "tenshot.account";
    /** The session's CSRF token (absent for API tokens, which are not ambient credentials). */
    static final String CSRF_TOKEN = "tenshot.csrf";

    @Inject
    Sessions sessions;

    @Inject
    ApiTokens tokens;

    @Override
    public Class<StudioAuthentication.Credentials> getRequestType() {
        return StudioAuthentication.Credentials.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(StudioAuthentication.Credentials credentials, AuthenticationRequestContext context) {
        if (credentials.token != null) {
            return tokens.find(credentials.token, credentials.address).map(who -> {
                if (who == null) throw new AuthenticationFailedException("unknown or revoked API token");
                return identity(who, null);
            });
        }
        return sessions.find(credentials.sessionCookie).map(found -> {
            if (found == null) throw new AuthenticationFailedException("unknown or expired session");
            return identity(found.identity(), found.csrfToken());
        });
    }

    private static SecurityIdentity identity(Caller.Identity who, String csrfToken) {
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(who.username()))
                .addRole(who.role().dbName())
                .addAttribute(ACCOUNT, who);
        if (csrfToken != null) identity.addAttribute(CSRF_TOKEN, csrfToken);
        return identity.build();
    }
}

package tenshot.studio.access;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Set;

/**
 * Reads the caller's credentials: an API token ({@code Authorization: Bearer tsk_…}) or the session
 * cookie. {@link StudioIdentities} checks them. An unknown or revoked token fails authentication; an
 * unknown or expired session cookie is a visitor (the browser is asked to sign in when it matters).
 */
@ApplicationScoped
public class StudioAuthentication implements HttpAuthenticationMechanism {

    /** Credentials as sent: exactly one of {@code token} and {@code sessionCookie} is set. */
    public static final class Credentials extends BaseAuthenticationRequest {
        final String token;
        final String sessionCookie;
        final String address;

        Credentials(String token, String sessionCookie, String address) {
            this.token = token;
            this.sessionCookie = sessionCookie;
            this.address = address;
        }
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        HttpServerRequest http = context.request();
        String address = addressOf(http);
        String authorization = http.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).strip() : "";
            return identities.authenticate(new Credentials(token, null, address));
        }
        Cookie session = http.getCookie(SessionCookies.SESSION);
        if (session == null) return Uni.createFrom().nullItem();
        return identities.authenticate(new Credentials(null, session.getValue(), address))
                .onFailure(AuthenticationFailedException.class).recoverWithNull();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, null, null));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(Credentials.class);
    }

    static String addressOf(HttpServerRequest http) {
        return http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
    }
}

package tenshot.studio.access;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;
import tenshot.studio.api.Problem;

/**
 * Who is calling and whether they may: every endpoint needs a signed-in caller unless it is marked
 * {@link Public}; roles are Quarkus' {@code @RolesAllowed} over the identity {@link StudioIdentities}
 * builds from the session cookie or API token. Team ownership is checked where things are looked up
 * (another team's ids answer 404). State-changing requests made with the session cookie
 * must carry the session's CSRF token; visitors' form posts (sign-in, sign-up) the {@code tenshot_csrf}
 * cookie's. API tokens are not ambient credentials, so their requests need no CSRF token.
 */
public class AccessFilter {

    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "_csrf";
    /** Set on the request when the CSRF token must come from the form: {@link CsrfFormFilter} checks it. */
    static final String EXPECTED_FORM_TOKEN = "tenshot.csrf.form";

    private static final Set<String> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @Inject
    Caller caller;

    @Inject
    CurrentIdentityAssociation identities;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> check(ResteasyReactiveContainerRequestContext request, ResourceInfo resource, HttpServerRequest http) {
        caller.from(StudioAuthentication.addressOf(http));
        return identities.getDeferredIdentity().map(identity -> {
            Caller.Identity who = identity.getAttribute(StudioIdentities.ACCOUNT);
            if (who != null) {
                caller.signIn(who, identity.getAttribute(StudioIdentities.CSRF_TOKEN));
            } else {
                Cookie visitor = http.getCookie(SessionCookies.VISITOR_CSRF);
                if (visitor != null) caller.visitorCsrf(visitor.getValue());
            }
            Response refused = authorize(request, resource);
            if (refused != null) return refused;
            // API tokens are not ambient credentials: only session-cookie and visitors' requests need a CSRF token
            return who != null && who.tokenId() != null ? null : checkCsrf(request, who != null);
        }).onFailure(AuthenticationFailedException.class).recoverWithItem(AccessFilter::unknownToken);
    }

    /** Default deny: everything not {@link Public} needs a signed-in caller. Roles are {@code @RolesAllowed}'s. */
    private Response authorize(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        Class<?> type = resource.getResourceClass();
        if (method == null || method.isAnnotationPresent(Public.class) || (type != null && type.isAnnotationPresent(Public.class))) {
            return null;
        }
        return caller.signedIn() ? null : signInFirst(request);
    }

    private static Response signInFirst(ContainerRequestContext request) {
        if (wantsPage(request)) {
            String next = request.getUriInfo().getRequestUri().getRawPath();
            String query = request.getUriInfo().getRequestUri().getRawQuery();
            if (query != null) next += "?" + query;
            return Response.seeOther(URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))).build();
        }
        return problem(401, "Unauthorized", "sign in first: a session cookie (POST /api/session) or an API token"
                + " (Authorization: Bearer tsk_…)", "sign-in");
    }

    private static Response unknownToken(Throwable failure) {
        return problem(401, "Unauthorized", "this API token is unknown or revoked (Authorization: Bearer tsk_…)", "token");
    }

    /** A visitor at an endpoint with {@code @RolesAllowed}. */
    @ServerExceptionMapper
    public Response notSignedIn(UnauthorizedException e, ContainerRequestContext request) {
        return signInFirst(request);
    }

    /** An unknown or revoked API token, found by the role check before this filter ran. */
    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return unknownToken(e);
    }

    /** A signed-in caller without the role that {@code @RolesAllowed} names. */
    @ServerExceptionMapper
    public Response roleMissing(ForbiddenException e, ContainerRequestContext request) {
        java.security.Principal principal = request.getSecurityContext().getUserPrincipal();
        String who = principal == null ? "this account" : principal.getName();
        return problem(403, "Forbidden", "organisers only: " + who + " is a team member", "role");
    }

    private Response checkCsrf(ResteasyReactiveContainerRequestContext request, boolean withSession) {
        if (SAFE_METHODS.contains(request.getMethod())) return null;
        MediaType type = request.getMediaType();
        boolean form = type != null && (type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                || type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE));
        // A visitor's JSON request cannot be sent cross-site without a CORS preflight, which this server never grants.
        if (!withSession && !form) return null;
        String expected = caller.csrfToken();
        if (expected == null) return csrfRefused();
        String header = request.getHeaderString(CSRF_HEADER);
        if (header != null) return Secrets.same(header, expected) ? null : csrfRefused();
        if (!form) return csrfRefused();
        request.setProperty(EXPECTED_FORM_TOKEN, expected);
        return null;
    }

    static Response csrfRefused() {
        return problem(403, "Forbidden", "missing or wrong CSRF token: send the page's token as the " + CSRF_HEADER
                + " header or the " + CSRF_FIELD + " form field (reload the page if it is old)", "csrf");
    }

    /** Browsers asking for a page are sent to the sign-in page; API clients get a problem. */
    private static boolean wantsPage(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().startsWith("/api/")) return false;
        return request.getAcceptableMediaTypes().stream().anyMatch(t -> t.isCompatible(MediaType.TEXT_HTML_TYPE) && !t.isWildcardType());
    }

    static Response problem(int status, String title, String detail, String subject) {
        return Problem.of(status, title, detail, subject).toResponse();
    }
}

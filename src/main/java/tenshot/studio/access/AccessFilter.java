package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;
import tenshot.studio.api.Problem;

/**
 * Who is calling and whether they may: every endpoint needs a signed-in caller unless it is marked
 * {@link Public}; {@link OrganiserOnly} ones need an organiser. Team ownership is checked where things
 * are looked up (another team's ids answer 404). State-changing requests made with the session cookie
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
    Sessions sessions;

    @Inject
    ApiTokens tokens;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> check(ResteasyReactiveContainerRequestContext request, ResourceInfo resource, HttpServerRequest http) {
        String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
        caller.from(address);
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).strip() : "";
            return tokens.find(token, address).map(who -> {
                if (who == null) return problem(401, "Unauthorized", "this API token is unknown or revoked (Authorization: Bearer tsk_…)", "token");
                caller.signIn(who, null);
                return authorize(request, resource);
            });
        }
        Cookie session = http.getCookie(SessionCookies.SESSION);
        Uni<Sessions.Found> found = session == null ? Uni.createFrom().nullItem() : sessions.find(session.getValue());
        return found.map(f -> {
            if (f != null) {
                caller.signIn(f.identity(), f.csrfToken());
            } else {
                Cookie visitor = http.getCookie(SessionCookies.VISITOR_CSRF);
                if (visitor != null) caller.visitorCsrf(visitor.getValue());
            }
            Response refused = authorize(request, resource);
            return refused != null ? refused : checkCsrf(request, f != null);
        });
    }

    private Response authorize(ResteasyReactiveContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        Class<?> type = resource.getResourceClass();
        if (method == null || method.isAnnotationPresent(Public.class) || (type != null && type.isAnnotationPresent(Public.class))) {
            return null;
        }
        if (!caller.signedIn()) {
            if (wantsPage(request)) {
                String next = request.getUriInfo().getRequestUri().getRawPath();
                String query = request.getUriInfo().getRequestUri().getRawQuery();
                if (query != null) next += "?" + query;
                return Response.seeOther(URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))).build();
            }
            return problem(401, "Unauthorized", "sign in first: a session cookie (POST /api/session) or an API token"
                    + " (Authorization: Bearer tsk_…)", "sign-in");
        }
        boolean organiserOnly = method.isAnnotationPresent(OrganiserOnly.class) || (type != null && type.isAnnotationPresent(OrganiserOnly.class));
        if (organiserOnly && !caller.isOrganiser()) {
            return problem(403, "Forbidden", "organisers only: " + caller.username() + " is a team member", "role");
        }
        return null;
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
    private static boolean wantsPage(ResteasyReactiveContainerRequestContext request) {
        if (request.getUriInfo().getPath().startsWith("/api/")) return false;
        return request.getAcceptableMediaTypes().stream().anyMatch(t -> t.isCompatible(MediaType.TEXT_HTML_TYPE) && !t.isWildcardType());
    }

    static Response problem(int status, String title, String detail, String subject) {
        return Problem.of(status, title, detail, subject).toResponse();
    }
}

package tenshot.studio.access;

import jakarta.annotation.security.RolesAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.studio.api.ApiException;

/** The account API: sign-in and sign-out, sign-up, API tokens, invitations and the audit log. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    public record Credentials(String username, String password) {}

    /** Who is signed in; {@code csrfToken} goes into the X-CSRF-Token header of state-changing requests. */
    public record Me(String username, String role, String team, String csrfToken) {}

    public record TokenRequest(String name) {}

    public record InvitationRequest(String role, String team) {}

    public record InvitationView(long id, String role, String team, OffsetDateTime expiresAt, String code, String signupUrl) {}

    public record AuditEntry(long id, OffsetDateTime at, String actor, Long teamId, String action, String target,
                             String detail, String address) {}

    @Inject
    Caller caller;

    @Inject
    SignIn signIn;

    @Inject
    SignUp signUp;

    @Inject
    Sessions sessions;

    @Inject
    ApiTokens tokens;

    @Inject
    Invitations invitations;

    @Inject
    AuditLog audit;

    @Inject
    AccessConfig config;

    @Inject
    Pool pool;

    @POST
    @Path("session")
    @Public
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sign in with {username, password}: sets the session cookie, answers the CSRF token")
    public Uni<Response> signIn(Credentials credentials, @jakarta.ws.rs.core.Context UriInfo uri) {
        if (credentials == null) throw ApiException.badField("body", "give {username, password}");
        return signIn.signIn(credentials.username(), credentials.password(), caller.remoteAddress())
                .map(in -> Response.ok(new Me(in.account().username(), in.account().role().dbName(), in.account().teamName(),
                                in.session().csrfToken()))
                        .cookie(SessionCookies.session(in.session().cookieValue(), config.sessionLifetime(), secure(uri))).build());
    }

    @DELETE
    @Path("session")
    @Operation(summary = "Sign out: ends this session")
    public Uni<Response> signOut(@jakarta.ws.rs.core.Context UriInfo uri) {
        Long session = caller.identity().sessionId();
        if (session == null) throw ApiException.conflict("session", "signed in with an API token, not a session; revoke the token instead");
        return sessions.end(session).call(() -> audit.record(caller, "sign-out", "session " + session, null))
                .map(v -> Response.noContent().cookie(SessionCookies.endSession(secure(uri))).build());
    }

    @DELETE
    @Path("sessions")
    @Operation(summary = "Sign out everywhere: ends every session of this account (API tokens stay; revoke them separately)")
    public Uni<Response> signOutEverywhere(@jakarta.ws.rs.core.Context UriInfo uri) {
        return sessions.endAll(caller.accountId())
                .call(n -> audit.record(caller, "sign-out.everywhere", "account " + caller.accountId(), n + " sessions"))
                .map(n -> Response.ok(java.util.Map.of("endedSessions", n)).cookie(SessionCookies.endSession(secure(uri))).build());
    }

    @GET
    @Path("me")
    @Operation(summary = "The signed-in account, its role and team, and the session's CSRF token")
    public Me me() {
        return me(caller.identity(), caller.csrfToken());
    }

    @POST
    @Path("signup")
    @Public
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sign up: {invitation, username, password}, or {username, password, team} when open sign-up is on")
    public Uni<Response> signUp(SignUp.Request request) {
        return signUp.signUp(request, caller.remoteAddress()).map(account -> Response.status(201)
                .entity(new Me(account.username(), account.role().dbName(), account.teamName(), null)).build());
    }

    @GET
    @Path("tokens")
    @Operation(summary = "Your API tokens (never their secrets)")
    public Uni<List<ApiTokens.TokenView>> tokens() {
        return tokens.list(caller.accountId());
    }

    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Make an API token {name}: the token is in this answer only; send it as Authorization: Bearer <token>")
    public Uni<Response> createToken(TokenRequest request) {
        return tokens.create(caller, request == null ? null : request.name())
                .map(created -> Response.status(201).entity(created).build());
    }

    @DELETE
    @Path("tokens/{id}")
    @Operation(summary = "Revoke one of your API tokens")
    public Uni<Response> revokeToken(@PathParam("id") long id) {
        return tokens.revoke(caller, id).map(v -> Response.noContent().build());
    }

    @POST
    @Path("invitations")
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Invite someone: {role: member|organiser, team} (a member's team is made if new); the code is in this answer only")
    public Uni<Response> invite(InvitationRequest request, @jakarta.ws.rs.core.Context UriInfo uri) {
        return invitation(request == null ? null : request.role(), request == null ? null : request.team(), uri)
                .map(view -> Response.status(201).entity(view).build());
    }

    /** Makes an invitation (also for the account page's form) and audits it. */
    public Uni<InvitationView> invitation(String role, String team, UriInfo uri) {
        AccountRole granted;
        try {
            granted = AccountRole.fromDb(role == null || role.isBlank() ? "member" : role.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("role", "member or organiser, not " + role);
        }
        String teamName = team == null || team.isBlank() ? null : Accounts.checkTeamName(team);
        return invitations.create(granted, teamName, caller.accountId())
                .call(created -> audit.record(caller, "invitation.create", "invitation " + created.id(),
                        granted.dbName() + (teamName == null ? "" : " of team " + teamName)))
                .map(created -> new InvitationView(created.id(), granted.dbName(), teamName, created.expiresAt(), created.code(),
                        uri.getBaseUriBuilder().path("signup").queryParam("code", created.code()).build().toString()));
    }

    @GET
    @Path("audit")
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Operation(summary = "The audit log, newest first: action=sign-in.refused to filter, limit (default 100, at most 1000)")
    public Uni<List<AuditEntry>> audit(@QueryParam("action") String action, @QueryParam("limit") Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) throw ApiException.badField("limit", "1 to 1000");
        return pool.preparedQuery("SELECT id, at, actor, team_id, action, target, detail, address FROM audit_event"
                        + " WHERE ($1::text IS NULL OR action = $1) ORDER BY id DESC LIMIT $2")
                .execute(Tuple.tuple(Arrays.asList(action, n)))
                .map(rows -> {
                    List<AuditEntry> out = new ArrayList<>();
                    for (Row r : rows) out.add(new AuditEntry(r.getLong(0), r.getOffsetDateTime(1), r.getString(2), r.getLong(3),
                            r.getString(4), r.getString(5), r.getString(6), r.getString(7)));
                    return out;
                });
    }

    static Me me(Caller.Identity who, String csrfToken) {
        return new Me(who.username(), who.role().dbName(), who.teamName(), csrfToken);
    }

    static boolean secure(UriInfo uri) {
        URI base = uri.getBaseUri();
        return "https".equalsIgnoreCase(base.getScheme());
    }
}

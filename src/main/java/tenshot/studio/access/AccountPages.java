package tenshot.studio.access;

import jakarta.annotation.security.RolesAllowed;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.studio.BaseModels;
import tenshot.studio.api.ApiException;
import tenshot.studio.api.Problem;

/** Sign-in, sign-up and account pages: plain forms, no JavaScript needed. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    @Inject
    @Location("pages/login.html")
    Template loginPage;

    @Inject
    @Location("pages/signup.html")
    Template signupPage;

    @Inject
    @Location("pages/account.html")
    Template accountPage;

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
    AccountResource api;

    @Inject
    AccessConfig config;

    @Inject
    BaseModels models;

    @GET
    @Path("login")
    @Public
    @Operation(hidden = true)
    public Response login(@QueryParam("next") String next, @Context UriInfo uri) {
        return visitorPage(loginPage.data("next", safeNext(next)).data("username", "").data("problem", null), 200, uri);
    }

    @POST
    @Path("login")
    @Public
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> signIn(@FormParam("username") String username, @FormParam("password") String password,
                                @FormParam("next") String next, @Context UriInfo uri) {
        String target = safeNext(next);
        // deferred: a refusal before any look-up (the sign-in rate limit) is shown on the page as well
        return Uni.createFrom().deferred(() -> signIn.signIn(username, password, caller.remoteAddress()))
                .map(in -> Response.seeOther(URI.create(target))
                        .cookie(SessionCookies.session(in.session().cookieValue(), config.sessionLifetime(), AccountResource.secure(uri))).build())
                .onFailure(ApiException.class).recoverWithItem(e -> {
                    ApiException refused = (ApiException) e;
                    Problem problem = Problem.of(refused.status(), "Sign-in refused", refused.getMessage(), refused.subject());
                    return visitorPage(loginPage.data("next", target).data("username", username == null ? "" : username)
                            .data("problem", problem), refused.status(), uri);
                });
    }

    @POST
    @Path("logout")
    @Operation(hidden = true)
    public Uni<Response> signOut(@Context UriInfo uri) {
        return api.signOut(uri).map(r -> backToSignIn(uri));
    }

    @GET
    @Path("signup")
    @Public
    @Operation(hidden = true)
    public Response signup(@QueryParam("code") String code, @Context UriInfo uri) {
        return visitorPage(signupForm(code, "", "", null), 200, uri);
    }

    @POST
    @Path("signup")
    @Public
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<Response> signUp(@FormParam("invitation") String code, @FormParam("username") String username,
                                @FormParam("password") String password, @FormParam("team") String team, @Context UriInfo uri) {
        // deferred: checks that fail at once (a short password) become a failure the page shows
        return Uni.createFrom().deferred(() -> signUp.signUp(new SignUp.Request(code, username, password, team), caller.remoteAddress()))
                .chain(account -> sessions.start(account.id()))
                .map(started -> Response.seeOther(URI.create("/style-sets"))
                        .cookie(SessionCookies.session(started.cookieValue(), config.sessionLifetime(), AccountResource.secure(uri))).build())
                .onFailure(ApiException.class).recoverWithItem(e -> {
            ApiException refused = (ApiException) e;
            Problem problem = Problem.of(refused.status(), "Sign-up refused", refused.getMessage(), refused.subject());
            return visitorPage(signupForm(code, username, team, problem), refused.status(), uri);
        });
    }

    @GET
    @Path("account")
    @Operation(hidden = true)
    public Uni<TemplateInstance> account() {
        return accountView(null, null, null);
    }

    @POST
    @Path("account/tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<TemplateInstance> createToken(@FormParam("name") String name) {
        return tokens.create(caller, name).chain(created -> accountView(created, null, null))
                .onFailure(ApiException.class).recoverWithUni(e -> accountView(null, null, problem((ApiException) e)));
    }

    @POST
    @Path("account/tokens/{id}/revoke")
    @Operation(hidden = true)
    public Uni<Response> revokeToken(@PathParam("id") long id) {
        return tokens.revoke(caller, id).map(v -> Response.seeOther(URI.create("/account")).build());
    }

    @POST
    @Path("account/sessions/end")
    @Operation(hidden = true)
    public Uni<Response> signOutEverywhere(@Context UriInfo uri) {
        return api.signOutEverywhere(uri).map(r -> backToSignIn(uri));
    }

    @POST
    @Path("account/invitations")
    @RolesAllowed(AccountRole.ORGANISER_ROLE)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Uni<TemplateInstance> invite(@FormParam("role") String role, @FormParam("team") String team, @Context UriInfo uri) {
        return Uni.createFrom().deferred(() -> api.invitation(role, team, uri)).chain(invitation -> accountView(null, invitation, null))
                .onFailure(ApiException.class).recoverWithUni(e -> accountView(null, null, problem((ApiException) e)));
    }

    private Uni<TemplateInstance> accountView(ApiTokens.Created newToken, AccountResource.InvitationView invitation, Problem problem) {
        return tokens.list(caller.accountId()).map(list -> accountPage.data("me", caller.identity()).data("tokens", list)
                .data("newToken", newToken).data("invitation", invitation).data("problem", problem)
                .data("demo", models.demoOnly()));
    }

    private TemplateInstance signupForm(String code, String username, String team, Problem problem) {
        return signupPage.data("code", code == null ? "" : code).data("username", username == null ? "" : username)
                .data("team", team == null ? "" : team).data("openSignup", config.openSignup()).data("problem", problem);
    }

    /**
     * A page for visitors with a form: makes sure the visitor has a CSRF cookie, and puts its token in the
     * form. The caller's token is the cookie's when there was one.
     */
    private Response visitorPage(TemplateInstance page, int status, UriInfo uri) {
        String token = caller.csrfToken();
        Response.ResponseBuilder response = Response.status(status).type(MediaType.TEXT_HTML_TYPE);
        if (token == null) {
            token = Secrets.create("");
            response.cookie(SessionCookies.visitorCsrf(token, AccountResource.secure(uri)));
        }
        return response.entity(page.data("csrf", token).data("demo", models.demoOnly())).build();
    }

    /** After signing out: the sign-in page, with the session cookie cleared. */
    private static Response backToSignIn(UriInfo uri) {
        return Response.seeOther(URI.create("/login")).cookie(SessionCookies.endSession(AccountResource.secure(uri))).build();
    }

    private static Problem problem(ApiException e) {
        return Problem.of(e.status(), e.title(), e.getMessage(), e.subject());
    }

    /** Only a path on this server: never another host (no open redirect). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/style-sets";
        return next;
    }
}

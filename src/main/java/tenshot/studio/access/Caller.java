package tenshot.studio.access;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import tenshot.studio.api.ApiException;

/**
 * Who made the current request, as the access filter found it (session cookie or API token), or a
 * visitor. Team-owned things are looked up with {@link #teamId()}: another team's ids answer 404.
 */
@RequestScoped
@Named("caller")
public class Caller {

    /** The signed-in account as the filter read it; null for a visitor. */
    public record Identity(long accountId, String username, AccountRole role, Long teamId, String teamName,
                           Long sessionId, Long tokenId) {}

    private Identity identity;
    private String remoteAddress;
    private String csrfToken;

    void signIn(Identity identity, String csrfToken) {
        this.identity = identity;
        this.csrfToken = csrfToken;
    }

    /**
     * The token state-changing requests must carry (header {@code X-CSRF-Token} or form field
     * {@code _csrf}): the session's, or for a visitor the {@code tenshot_csrf} cookie's.
     */
    public String csrfToken() {
        return csrfToken;
    }

    void visitorCsrf(String token) {
        if (identity == null) this.csrfToken = token;
    }

    void from(String remoteAddress) {
        this.remoteAddress = remoteAddress;
    }

    public boolean signedIn() {
        return identity != null;
    }

    public Identity identity() {
        return identity;
    }

    public Long accountId() {
        return identity == null ? null : identity.accountId();
    }

    public String username() {
        return identity == null ? null : identity.username();
    }

    public boolean isOrganiser() {
        return identity != null && identity.role() == AccountRole.ORGANISER;
    }

    /** The caller's team, or null (visitors, organisers without a team). */
    public Long teamId() {
        return identity == null ? null : identity.teamId();
    }

    public String teamName() {
        return identity == null ? null : identity.teamName();
    }

    /**
     * The caller's team for work that belongs to one. An account without a team owns nothing, so the
     * thing asked for is reported as not there (as for another team's ids).
     */
    public long requireTeam(String what, Object id) {
        if (teamId() == null) throw ApiException.notFound(what, id);
        return teamId();
    }

    /** True when the caller may see a thing owned by this team: only that team's members do. */
    public boolean owns(Long ownerTeamId) {
        return ownerTeamId != null && ownerTeamId.equals(teamId());
    }

    /** The team's thing, or 404 as if it did not exist when it belongs to another team. */
    public <T> T owned(T thing, Long ownerTeamId, String what, Object id) {
        if (thing == null || !owns(ownerTeamId)) throw ApiException.notFound(what, id);
        return thing;
    }


    public String remoteAddress() {
        return remoteAddress;
    }
}

package tenshot.studio.access;

import jakarta.enterprise.context.RequestScoped;
import tenshot.studio.api.ApiException;

/**
 * Who made the current request, as the access filter found it (session cookie or API token), or a
 * visitor. Team-owned things are looked up with {@link #teamId()}: another team's ids answer 404.
 */
@RequestScoped
public class Caller {

    /** The signed-in account as the filter read it; null for a visitor. */
    public record Identity(long accountId, String username, AccountRole role, Long teamId, String teamName,
                           Long sessionId, Long tokenId) {}

    private Identity identity;
    private String remoteAddress;

    void signIn(Identity identity) {
        this.identity = identity;
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

    /** True when the caller may see a thing owned by this team. */
    public boolean owns(Long ownerTeamId) {
        return ownerTeamId != null && ownerTeamId.equals(teamId());
    }

    public String remoteAddress() {
        return remoteAddress;
    }
}

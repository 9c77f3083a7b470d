package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import tenshot.studio.api.ApiException;

/**
 * New accounts: with an organiser's invitation (its role and team), or, when open sign-up is enabled,
 * as the first member of a new team. Joining an existing team always takes an invitation.
 */
@ApplicationScoped
public class SignUp {

    /** A sign-up form: {@code invitation} empty for open sign-up, {@code team} the new team's name then. */
    public record Request(String invitation, String username, String password, String team) {}

    @Inject
    Pool pool;

    @Inject
    Accounts accounts;

    @Inject
    Invitations invitations;

    @Inject
    PasswordHasher passwords;

    @Inject
    AccessConfig config;

    @Inject
    AuditLog audit;

    public Uni<Accounts.Account> signUp(Request request, String address) {
        if (request == null) throw ApiException.badField("body", "give {invitation, username, password, team}");
        String username = Accounts.checkUsername(request.username());
        PasswordHasher.check(request.password());
        boolean invited = request.invitation() != null && !request.invitation().isBlank();
        if (!invited && !config.openSignup()) {
            throw ApiException.badField("invitation", "sign-up needs an invitation code from an organiser on this server");
        }
        String newTeam = invited ? null : Accounts.checkTeamName(request.team());
        return Uni.createFrom().item(() -> passwords.hash(request.password()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(hash -> pool.withTransaction(tx -> {
                    if (!invited) return accounts.create(tx, username, hash, AccountRole.MEMBER, newTeam, true);
                    return invitations.redeem(tx, request.invitation()).chain(grant ->
                            accounts.create(tx, username, hash, grant.role(), grant.team(), false)
                                    .call(id -> invitations.usedBy(tx, grant.id(), id)));
                }))
                .chain(accounts::byId)
                .call(account -> audit.record(account.id(), account.username(), account.teamId(), "sign-up",
                        "account " + account.id(), invited ? "invitation" : "open sign-up, new team " + newTeam, address));
    }
}

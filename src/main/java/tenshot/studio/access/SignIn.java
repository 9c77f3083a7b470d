package tenshot.studio.access;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import tenshot.studio.api.ApiException;
import tenshot.studio.limits.RateLimits;

/**
 * Password sign-in: rate limited per client address, an account locks after too many wrong passwords
 * in a row, and every attempt is audited. A wrong name and a wrong password get the same answer.
 */
@ApplicationScoped
public class SignIn {

    /** A sign-in that succeeded: the account and its new session. */
    public record SignedIn(Accounts.Account account, Sessions.Started session) {}

    @Inject
    Accounts accounts;

    @Inject
    PasswordHasher passwords;

    @Inject
    Sessions sessions;

    @Inject
    AuditLog audit;

    @Inject
    AccessConfig config;

    @Inject
    RateLimits rateLimits;

    /** Signs in and starts a new session; refused ones fail with a 401 that says why. */
    public Uni<SignedIn> signIn(String username, String password, String address) {
        rateLimits.check(RateLimits.SIGN_IN, "address:" + address);
        String name = username == null ? "" : username.strip().toLowerCase(java.util.Locale.ROOT);
        // bcrypt is slow on purpose: it runs off the event loop, and for unknown names too (same timing).
        return accounts.byUsername(name).chain(account -> Uni.createFrom()
                        .item(() -> account != null ? passwords.matches(password, account.passwordHash()) : passwords.checkDecoy(password))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .chain(matches -> decide(name, account, matches, address)));
    }

    private Uni<SignedIn> decide(String name, Accounts.Account account, boolean matches, String address) {
        if (account == null) return refuse(null, name, "unknown user name", address, null);
        OffsetDateTime locked = account.lockedUntil();
        if (locked != null && locked.isAfter(OffsetDateTime.now())) {
            return refuse(account, name, "locked", address, "this account is locked after " + config.lockoutAttempts()
                    + " wrong passwords until " + locked.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "; try again then");
        }
        if (!matches) {
            return accounts.failed(account, config.lockoutAttempts(), config.lockoutDuration())
                    .chain(() -> refuse(account, name, "wrong password", address, null));
        }
        return accounts.succeeded(account).chain(() -> sessions.start(account.id()))
                .call(started -> audit.record(account.id(), account.username(), account.teamId(), "sign-in",
                        "session " + started.id(), null, address))
                .map(started -> new SignedIn(account, started));
    }

    private Uni<SignedIn> refuse(Accounts.Account account, String name, String reason, String address, String message) {
        String shown = message != null ? message : "wrong user name or password";
        return audit.record(account == null ? null : account.id(), name, account == null ? null : account.teamId(),
                        "sign-in.refused", null, reason, address)
                .chain(() -> Uni.createFrom().failure(new ApiException(401, "Unauthorized", shown, "sign-in")));
    }
}

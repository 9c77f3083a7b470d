package tenshot.studio.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import tenshot.studio.api.ApiException;

/** Passwords as bcrypt hashes (Bouncy Castle's OpenBSD format, {@code $2b$}). */
@ApplicationScoped
public class PasswordHasher {

    static final int MIN_LENGTH = 10;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently cut, so they are refused. */
    static final int MAX_BYTES = 72;

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    AccessConfig config;

    /** A hash to check unknown user names against, so that they take as long as known ones. */
    private volatile String decoy;

    public String hash(String password) {
        check(password);
        return hash(password, config.bcryptCost());
    }

    static String hash(String password, int cost) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, cost);
    }

    public boolean matches(String password, String hash) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) return false;
        return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    }

    /** Spends the time of a real check, for a user name that does not exist; always false. */
    public boolean checkDecoy(String password) {
        if (decoy == null) decoy = hash("decoy-password-never-used", config.bcryptCost());
        matches(password == null ? "" : password, decoy);
        return false;
    }

    /** The password rules, with the reason a password breaks them. */
    public static void check(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw ApiException.badField("password", "at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.badField("password", "at most " + MAX_BYTES + " bytes (bcrypt ignores the rest)");
        }
    }
}

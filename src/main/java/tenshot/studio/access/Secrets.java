package tenshot.studio.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random secrets handed to people (session cookies, API tokens, invitation codes, CSRF tokens) and the
 * SHA-256 hashes they are stored as. The prefix says what a secret is when it turns up in a log or a
 * script: {@code tss_} session, {@code tsk_} API token, {@code tsi_} invitation.
 */
public final class Secrets {

    public static final String SESSION = "tss_";
    public static final String API_TOKEN = "tsk_";
    public static final String INVITATION = "tsi_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** 256 random bits, URL-safe, after the prefix. */
    public static String create(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What is stored: a secret is 256 random bits, so a plain SHA-256 is enough (no salt, no stretching). */
    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** Equal strings, compared in time that does not depend on where they differ. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}

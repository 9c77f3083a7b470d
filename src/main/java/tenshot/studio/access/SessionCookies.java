package tenshot.studio.access;

import jakarta.ws.rs.core.NewCookie;
import java.time.Duration;

/**
 * The studio's cookies: the session ({@code tenshot_session}) and a visitor's CSRF token for the
 * sign-in and sign-up forms ({@code tenshot_csrf}). Both HttpOnly and SameSite=Lax, Secure when the
 * request came over TLS.
 */
public final class SessionCookies {

    public static final String SESSION = "tenshot_session";
    public static final String VISITOR_CSRF = "tenshot_csrf";

    private SessionCookies() {}

    public static NewCookie session(String value, Duration lifetime, boolean secure) {
        return cookie(SESSION, value, (int) lifetime.toSeconds(), secure);
    }

    public static NewCookie endSession(boolean secure) {
        return cookie(SESSION, "", 0, secure);
    }

    public static NewCookie visitorCsrf(String value, boolean secure) {
        return cookie(VISITOR_CSRF, value, (int) Duration.ofDays(1).toSeconds(), secure);
    }

    private static NewCookie cookie(String name, String value, int maxAge, boolean secure) {
        return new NewCookie.Builder(name).value(value).path("/").maxAge(maxAge).httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.LAX).build();
    }
}

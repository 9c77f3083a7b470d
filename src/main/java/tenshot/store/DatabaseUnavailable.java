package tenshot.store;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Whether a failure means PostgreSQL cannot be reached right now (stopped, restarting, or the
 * connection dropped), as opposed to a fault of the request or a bug: such a request is worth
 * retrying later, and the API answers it with 503.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {}

    /** Whether {@code failure} or one of its causes says the database is unreachable. */
    public static boolean isCause(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException) return true;
            // SQLSTATE class 08: connection exceptions; 57P01-57P03: shut down by the administrator,
            // crash shutdown, cannot connect now (starting up or shutting down)
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().matches("57P0[123]"))) {
                return true;
            }
        }
        return false;
    }
}

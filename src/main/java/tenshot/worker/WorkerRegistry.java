package tenshot.worker;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The {@code worker} table: who is working where, on what, and whether it still answers. */
@ApplicationScoped
public class WorkerRegistry {

    private final Pool pool;

    @Inject
    public WorkerRegistry(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> register(String id, String host, String device, Collection<String> kinds) {
        return pool.preparedQuery("""
                        INSERT INTO worker (id, host, device, kinds, current_job, started_at, last_heartbeat, stopped_at)
                        VALUES ($1, $2, $3, $4, NULL, now(), now(), NULL)
                        ON CONFLICT (id) DO UPDATE SET host = excluded.host, device = excluded.device,
                            kinds = excluded.kinds, current_job = NULL, started_at = now(),
                            last_heartbeat = now(), stopped_at = NULL""")
                .execute(Tuple.of(id, host, device, kinds.toArray(String[]::new)))
                .replaceWithVoid();
    }

    public Uni<Void> heartbeat(String id) {
        return pool.preparedQuery("UPDATE worker SET last_heartbeat = now() WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    public Uni<Void> stopped(String id) {
        return pool.preparedQuery("UPDATE worker SET stopped_at = now(), current_job = NULL WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Every worker that has not been stopped for more than a day, newest first. */
    public Uni<List<WorkerInfo>> list(Duration lostAfter) {
        return pool.preparedQuery("""
                        SELECT id, host, device, kinds, current_job, started_at, last_heartbeat, stopped_at,
                               stopped_at IS NULL AND last_heartbeat < now() - make_interval(secs => $1) AS lost
                          FROM worker
                         WHERE stopped_at IS NULL OR stopped_at > now() - interval '1 day'
                         ORDER BY stopped_at IS NOT NULL, started_at DESC""")
                .execute(Tuple.of(lostAfter.toMillis() / 1000.0))
                .map(rows -> {
                    List<WorkerInfo> out = new ArrayList<>();
                    for (Row r : rows) {
                        String status = r.getValue("stopped_at") != null ? "stopped"
                                : r.getBoolean("lost") ? "lost"
                                : r.getValue("current_job") != null ? "busy" : "idle";
                        String[] kinds = r.getArrayOfStrings("kinds");
                        out.add(new WorkerInfo(r.getString("id"), r.getString("host"), r.getString("device"),
                                kinds == null ? List.of() : List.of(kinds), status, r.getLong("current_job"),
                                instant(r.getOffsetDateTime("started_at")),
                                instant(r.getOffsetDateTime("last_heartbeat")),
                                instant(r.getOffsetDateTime("stopped_at"))));
                    }
                    return out;
                });
    }

    /** How many workers answer right now (for queue estimates). */
    public Uni<Integer> liveCount(Duration lostAfter) {
        return pool.preparedQuery("""
                        SELECT count(*) AS n FROM worker
                         WHERE stopped_at IS NULL AND last_heartbeat >= now() - make_interval(secs => $1)""")
                .execute(Tuple.of(lostAfter.toMillis() / 1000.0))
                .map(rows -> rows.iterator().next().getLong("n").intValue());
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}

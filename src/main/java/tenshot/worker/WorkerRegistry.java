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
import java.util.Optional;

/** The {@code worker} table: who is working where, on what, and whether it still answers. */
@ApplicationScoped
public class WorkerRegistry {

    private final Pool pool;

    @Inject
    public WorkerRegistry(Pool pool) {
        this.pool = pool;
    }

    /** A GPU's memory as its worker last read it. */
    public record Memory(long free, long total) {}

    public Uni<Void> register(String id, String host, String device, boolean gpu, Collection<String> kinds) {
        return pool.preparedQuery("""
                        INSERT INTO worker (id, host, device, gpu, kinds, current_job, started_at, last_heartbeat, stopped_at)
                        VALUES ($1, $2, $3, $4, $5, NULL, now(), now(), NULL)
                        ON CONFLICT (id) DO UPDATE SET host = excluded.host, device = excluded.device, gpu = excluded.gpu,
                            kinds = excluded.kinds, current_job = NULL, started_at = now(),
                            last_heartbeat = now(), stopped_at = NULL, memory_free = NULL, memory_total = NULL""")
                .execute(Tuple.of(id, host, device, gpu, kinds.toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** The worker answers; {@code memory} is its device's memory now (none on the CPU). */
    public Uni<Void> heartbeat(String id, Optional<Memory> memory) {
        return pool.preparedQuery("""
                        UPDATE worker SET last_heartbeat = now(), memory_free = $2, memory_total = $3 WHERE id = $1""")
                .execute(Tuple.of(id, memory.map(Memory::free).orElse(null), memory.map(Memory::total).orElse(null)))
                .replaceWithVoid();
    }

    public Uni<Void> stopped(String id) {
        return pool.preparedQuery("UPDATE worker SET stopped_at = now(), current_job = NULL WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Every worker that has not been stopped for more than a day, newest first. */
    public Uni<List<WorkerInfo>> list(Duration lostAfter) {
        return pool.preparedQuery("""
                        SELECT w.id, w.host, w.device, w.gpu, w.memory_free, w.memory_total, w.kinds, w.current_job,
                               j.run_id, j.team, w.started_at, w.last_heartbeat, w.stopped_at,
                               w.stopped_at IS NULL AND w.last_heartbeat < now() - make_interval(secs => $1) AS lost
                          FROM worker w LEFT JOIN job j ON j.id = w.current_job
                         WHERE w.stopped_at IS NULL OR w.stopped_at > now() - interval '1 day'
                         ORDER BY w.stopped_at IS NOT NULL, w.started_at DESC""")
                .execute(Tuple.of(lostAfter.toMillis() / 1000.0))
                .map(rows -> {
                    List<WorkerInfo> out = new ArrayList<>();
                    for (Row r : rows) {
                        String status = r.getValue("stopped_at") != null ? "stopped"
                                : r.getBoolean("lost") ? "lost"
                                : r.getValue("current_job") != null ? "busy" : "idle";
                        String[] kinds = r.getArrayOfStrings("kinds");
                        out.add(new WorkerInfo(r.getString("id"), r.getString("host"), r.getString("device"),
                                r.getBoolean("gpu"), r.getLong("memory_free"), r.getLong("memory_total"),
                                kinds == null ? List.of() : List.of(kinds), status, r.getLong("current_job"),
                                r.getLong("run_id"), r.getString("team"),
                                instant(r.getOffsetDateTime("started_at")),
                                instant(r.getOffsetDateTime("last_heartbeat")),
                                instant(r.getOffsetDateTime("stopped_at"))));
                    }
                    return out;
                });
    }

    /** {@link #list} as a member of {@code visibleTeam} may see it (null: everything). */
    public Uni<List<WorkerInfo>> list(Duration lostAfter, String visibleTeam) {
        return list(lostAfter).map(all -> all.stream().map(w -> w.seenBy(visibleTeam)).toList());
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

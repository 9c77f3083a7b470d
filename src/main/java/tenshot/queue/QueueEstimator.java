package tenshot.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Positions and ETAs of queued jobs. It replays the claim order (highest priority first; within a
 * priority, the team that used the least worker time lately in whole quanta, see {@link TeamUsage},
 * then the one served longest ago) on the live workers, each job taking the recent mean duration of
 * its kind, a running job its remaining time; each replayed claim adds its duration to its team's use.
 */
@ApplicationScoped
public class QueueEstimator {

    /** Successful attempts per kind that make up its mean duration. */
    static final int RECENT = 20;

    private final Pool pool;
    private final Duration lostAfter;
    private final TeamUsage usage;

    @Inject
    public QueueEstimator(Pool pool, TeamUsage usage,
                          @ConfigProperty(name = "tenshot.worker.lease", defaultValue = "60s") Duration lease,
                          @ConfigProperty(name = "tenshot.worker.heartbeat", defaultValue = "10s") Duration heartbeat) {
        this.pool = pool;
        this.usage = usage;
        this.lostAfter = heartbeat.multipliedBy(3).compareTo(lease) > 0 ? heartbeat.multipliedBy(3) : lease;
    }

    private record Waiting(long id, String kind, String team, int priority, double notBeforeIn, List<Long> deps) {}

    private record Running(long id, String kind, double elapsed, Double phaseEta) {}

    public Uni<QueueForecast> forecast() {
        return pool.withConnection(conn -> conn.preparedQuery("WITH " + TeamUsage.cte("$1", "$2") + """
                        SELECT j.id, j.kind, j.team, j.priority, coalesce(u.seconds, 0)::float8 AS team_used,
                               greatest(0, extract(epoch FROM j.not_before - now()))::float8 AS not_before_in,
                               coalesce(extract(epoch FROM t.last_claimed_at), 0)::float8 AS team_served,
                               (SELECT coalesce(array_agg(d.depends_on), '{}') FROM job_dependency d WHERE d.job_id = j.id) AS deps
                          FROM job j LEFT JOIN team_claim t ON t.team = j.team LEFT JOIN team_usage u ON u.team = j.team
                         WHERE j.state = 'queued'
                         ORDER BY j.priority DESC, j.id""").execute(Tuple.of(usage.windowSeconds(), usage.quantumSeconds()))
                .flatMap(queued -> conn.preparedQuery("""
                                SELECT j.id, j.kind,
                                       coalesce(extract(epoch FROM now() - a.started_at), 0)::float8 AS elapsed,
                                       (j.progress ->> 'etaSeconds')::float8 AS phase_eta
                                  FROM job j LEFT JOIN job_attempt a ON a.job_id = j.id AND a.outcome IS NULL
                                 WHERE j.state = 'running'""").execute()
                        .flatMap(running -> conn.preparedQuery("""
                                        SELECT kind, avg(seconds)::float8 AS seconds FROM (
                                            SELECT j.kind, extract(epoch FROM a.finished_at - a.started_at) AS seconds,
                                                   row_number() OVER (PARTITION BY j.kind ORDER BY a.finished_at DESC) AS n
                                              FROM job_attempt a JOIN job j ON j.id = a.job_id
                                             WHERE a.outcome = 'succeeded') recent
                                         WHERE n <= $1 GROUP BY kind""").execute(Tuple.of(RECENT))
                                .flatMap(durations -> conn.preparedQuery("""
                                                SELECT count(*) AS n FROM worker
                                                 WHERE stopped_at IS NULL AND last_heartbeat >= now() - make_interval(secs => $1)""")
                                        .execute(Tuple.of(lostAfter.toMillis() / 1000.0))
                                        .map(live -> simulate(queued, running, durations, usage.quantumSeconds(),
                                                live.iterator().next().getLong("n").intValue()))))));
    }

    /** Whether team {@code a} is claimed before team {@code b}: less use in whole quanta, then served longer ago, then older job. */
    private static boolean before(String a, String b, Map<String, ArrayDeque<Waiting>> teams, Map<String, Double> used,
                                  Map<String, Double> served, double quantum) {
        int c = Double.compare(Math.floor(used.get(a) / quantum), Math.floor(used.get(b) / quantum));
        if (c == 0) c = Double.compare(served.get(a), served.get(b));
        if (c == 0) c = Long.compare(teams.get(a).peek().id(), teams.get(b).peek().id());
        return c < 0;
    }

    private static QueueForecast simulate(RowSet<Row> queuedRows, RowSet<Row> runningRows, RowSet<Row> durationRows,
                                          double quantum, int liveWorkers) {
        Map<String, Double> seconds = new TreeMap<>();
        for (Row r : durationRows) seconds.put(r.getString("kind"), r.getDouble("seconds"));
        Double fallback = seconds.isEmpty() ? null
                : seconds.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);

        // claim order: per priority, the team with the least use (in quanta), then the one served longest
        // ago, each team's jobs oldest first; a replayed claim adds its duration to its team's use
        Map<Integer, LinkedHashMap<String, ArrayDeque<Waiting>>> byPriority = new TreeMap<>((a, b) -> b - a);
        Map<String, Double> teamServed = new HashMap<>();
        Map<String, Double> teamUsed = new HashMap<>();
        for (Row r : queuedRows) {
            Long[] deps = r.getArrayOfLongs("deps");
            Waiting w = new Waiting(r.getLong("id"), r.getString("kind"), r.getString("team"), r.getInteger("priority"),
                    r.getDouble("not_before_in"), deps == null ? List.of() : List.of(deps));
            teamServed.put(w.team(), r.getDouble("team_served"));
            teamUsed.put(w.team(), r.getDouble("team_used"));
            byPriority.computeIfAbsent(w.priority(), p -> new LinkedHashMap<>())
                    .computeIfAbsent(w.team(), t -> new ArrayDeque<>()).add(w);
        }
        List<Waiting> order = new ArrayList<>();
        double servedNow = Double.MAX_VALUE / 2; // later than any recorded claim; grows with each replayed one
        for (LinkedHashMap<String, ArrayDeque<Waiting>> teams : byPriority.values()) {
            while (!teams.isEmpty()) {
                String team = null;
                for (String candidate : teams.keySet()) {
                    if (team == null || before(candidate, team, teams, teamUsed, teamServed, quantum)) team = candidate;
                }
                Waiting next = teams.get(team).poll();
                order.add(next);
                if (teams.get(team).isEmpty()) teams.remove(team);
                Double duration = seconds.getOrDefault(next.kind(), fallback);
                teamUsed.merge(team, duration == null ? 0 : duration, Double::sum);
                teamServed.put(team, servedNow);
                servedNow = Math.nextUp(servedNow);
            }
        }

        // list scheduling on the live workers
        Map<Long, QueueForecast.Estimate> byJob = new HashMap<>();
        Map<Long, Double> endOf = new HashMap<>();
        PriorityQueue<Double> freeAt = new PriorityQueue<>();
        boolean known = fallback != null;
        for (Row r : runningRows) {
            Running run = new Running(r.getLong("id"), r.getString("kind"), r.getDouble("elapsed"), r.getDouble("phase_eta"));
            Double mean = seconds.getOrDefault(run.kind(), fallback);
            // An if, not a ternary: a ternary would unbox the null phaseEta of a job with no ETA yet.
            Double remaining = run.phaseEta();
            if (mean != null) remaining = Math.max(mean - run.elapsed(), remaining == null ? 0 : remaining);
            byJob.put(run.id(), new QueueForecast.Estimate(null, 0.0, remaining));
            if (remaining == null) known = false;
            double end = remaining == null ? 0 : remaining;
            endOf.put(run.id(), end);
            freeAt.add(end);
        }
        int workers = Math.max(1, liveWorkers);
        while (freeAt.size() < workers) freeAt.add(0.0);
        while (freeAt.size() > workers) freeAt.poll(); // more running jobs than live workers: some are orphans

        List<Long> ids = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            Waiting w = order.get(i);
            ids.add(w.id());
            double start = Math.max(freeAt.poll(), w.notBeforeIn());
            for (long dep : w.deps()) start = Math.max(start, endOf.getOrDefault(dep, 0.0));
            Double duration = seconds.getOrDefault(w.kind(), fallback);
            double end = start + (duration == null ? 0 : duration);
            freeAt.add(end);
            endOf.put(w.id(), end);
            byJob.put(w.id(), new QueueForecast.Estimate(i + 1, known ? start : null, known ? end : null));
        }
        return new QueueForecast(ids, byJob, seconds, liveWorkers);
    }
}

package tenshot.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code tenshot_queue_jobs{kind, state}}: queued and running jobs by kind, counted in the database
 * every {@code tenshot.metrics.queue-refresh} (a scrape never waits for a query). Every process reports the
 * same shared queue, so dashboards take the max over instances. A kind that empties reports 0.
 */
@ApplicationScoped
public class QueueDepthGauges {

    private static final Logger LOG = Logger.getLogger(QueueDepthGauges.class);
    static final Set<String> STATES = Set.of("queued", "running");

    private final Pool pool;
    private final MeterRegistry registry;
    private final Duration refresh;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    @Inject
    public QueueDepthGauges(Pool pool, MeterRegistry registry,
                            @ConfigProperty(name = "tenshot.metrics.queue-refresh", defaultValue = "10s") Duration refresh) {
        this.pool = pool;
        this.registry = registry;
        this.refresh = refresh;
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tenshot-queue-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) timer.shutdownNow();
    }

    /** Counts the queue now and updates the gauges. */
    public void refresh() {
        try {
            Set<String> seen = new HashSet<>();
            for (Row row : pool.query("""
                            SELECT kind, state, count(*) AS n FROM job
                             WHERE state IN ('queued', 'running') GROUP BY kind, state""")
                    .execute().await().atMost(Duration.ofSeconds(30))) {
                String kind = row.getString("kind");
                for (String state : STATES) gauge(kind, state); // both states of every kind seen, so neither is missing
                String key = kind + "\u0000" + row.getString("state");
                seen.add(key);
                depths.get(key).set(row.getLong("n"));
            }
            depths.forEach((key, value) -> {
                if (!seen.contains(key)) value.set(0);
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not count the queue for metrics: %s", e.toString());
        }
    }

    private void gauge(String kind, String state) {
        depths.computeIfAbsent(kind + "\u0000" + state, key -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("tenshot.queue.jobs", value, AtomicLong::get)
                    .description("Jobs queued or running, by kind and state").tag("kind", kind).tag("state", state)
                    .register(registry);
            return value;
        });
    }
}

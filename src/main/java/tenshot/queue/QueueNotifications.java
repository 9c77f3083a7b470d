package tenshot.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * LISTENs to {@code tenshot_progress} on a dedicated connection that reconnects after drops, and
 * hands every job change to the SSE streams and the local workers. After every (re)subscription it
 * also emits a resync signal: notifications sent while the connection was down are lost, so
 * listeners re-read what changed from the database.
 */
@ApplicationScoped
public class QueueNotifications {

    public static final String CHANNEL = "tenshot_progress";
    private static final Logger LOG = Logger.getLogger(QueueNotifications.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final String url;
    private final String user;
    private final Optional<String> password;
    private final BroadcastProcessor<JobEvent> events = BroadcastProcessor.create();
    private final BroadcastProcessor<Long> resyncs = BroadcastProcessor.create();
    private final BroadcastProcessor<ObjectNode> workers = BroadcastProcessor.create();
    private volatile PgSubscriber subscriber;
    private volatile boolean closing;
    private volatile boolean listening;

    @Inject
    public QueueNotifications(Vertx vertx,
                              @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                              @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres") String user,
                              @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.url = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        this.user = user;
        this.password = password;
    }

    /** Every job change announced by any process, as it arrives. Slow consumers should buffer. */
    public Multi<JobEvent> events() {
        return events;
    }

    /**
     * Worker changes (registration, current job, heartbeat, stop) as the {@code worker} table's
     * trigger announces them: id, host, device, currentJob, runId, status, lastHeartbeat.
     */
    public Multi<ObjectNode> workerEvents() {
        return workers;
    }

    /** A tick after each (re)connection: changes may have been missed while disconnected. */
    public Multi<Long> resyncs() {
        return resyncs;
    }

    public boolean listening() {
        return listening;
    }

    void start(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser(user);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> Math.min(5000L, 250L << Math.min(retries, 5)));
        subscriber.channel(CHANNEL)
                .subscribeHandler(v -> {
                    listening = true;
                    LOG.debugf("listening on %s", CHANNEL);
                    resyncs.onNext(System.currentTimeMillis());
                })
                .handler(this::onPayload);
        subscriber.closeHandler(v -> {
            listening = false;
            if (!closing) {
                LOG.warnf("LISTEN connection to %s gave up; connecting again", url);
                vertx.setTimer(1000, id -> connect());
            }
        });
        connect();
    }

    private void connect() {
        if (closing) return;
        subscriber.connect().onFailure(e -> {
            listening = false;
            if (closing) return;
            LOG.warnf("LISTEN connection to %s failed (%s); retrying", url, e.getMessage());
            vertx.setTimer(2000, id -> connect());
        });
    }

    private void onPayload(String payload) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(payload);
            if ("worker".equals(json.path("type").asText())) workers.onNext(json);
            else events.onNext(JobEvent.of(json));
        } catch (Exception e) {
            LOG.warnf("ignoring malformed %s payload: %s", CHANNEL, e.toString());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        closing = true;
        PgSubscriber s = subscriber;
        if (s != null) s.close();
    }
}

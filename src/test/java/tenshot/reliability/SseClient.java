package tenshot.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.TestAccounts;

/** An SSE client that keeps the last version of every job and reconnects with Last-Event-ID until stopped. */
final class SseClient implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI uri;
    private final TestAccounts.Session session;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Long, JsonNode> jobs = new TreeMap<>();
    final List<String> reorders = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private volatile String lastEventId;
    /** Connections the API accepted. */
    volatile int connections;
    /** Of those, the ones that resumed with Last-Event-ID. */
    volatile int resumedWith;

    private final Duration lifetime;

    SseClient(URI uri, TestAccounts.Session session) {
        this(uri, session, Duration.ofMinutes(15));
    }

    /** A client that stops reconnecting after {@code lifetime} even if nobody stops it. */
    SseClient(URI uri, TestAccounts.Session session, Duration lifetime) {
        this.uri = uri;
        this.session = session;
        this.lifetime = lifetime;
    }

    synchronized Map<Long, JsonNode> state() {
        return new TreeMap<>(jobs);
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long deadline = System.nanoTime() + lifetime.toNanos();
        while (!stopped && System.nanoTime() < deadline) {
            try {
                read(false);
            } catch (IOException | RuntimeException dropped) {
                // the API went away: reconnect below
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One fresh connection until its {@code synced} event: the state a client that never disconnected would build. */
    Map<Long, JsonNode> snapshot() throws IOException, InterruptedException {
        read(true);
        return state();
    }

    private void read(boolean untilSynced) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .header("Cookie", SessionCookies.SESSION + "=" + session.cookie());
        boolean resuming = lastEventId != null && !untilSynced;
        if (resuming) request.header("Last-Event-ID", lastEventId);
        HttpResponse<Stream<String>> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        if (answer.statusCode() != 200) throw new IOException("events answered " + answer.statusCode());
        connections++;
        if (resuming) resumedWith++;
        try (Stream<String> lines = answer.body()) {
            String event = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            for (Iterator<String> it = lines.iterator(); it.hasNext() && !stopped; ) {
                String line = it.next();
                if (line.isEmpty()) {
                    if ("job".equals(event)) apply(JSON.readTree(data.toString()));
                    if (id != null && !untilSynced) lastEventId = id;
                    if (untilSynced && "synced".equals(event)) return;
                    event = null;
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        }
    }

    private synchronized void apply(JsonNode job) {
        long id = job.path("id").asLong();
        JsonNode known = jobs.get(id);
        long version = job.path("version").asLong();
        if (known != null && known.path("version").asLong() > version) {
            reorders.add("job " + id + ": version " + version + " after " + known.path("version").asLong());
            return;
        }
        jobs.put(id, job);
    }
}

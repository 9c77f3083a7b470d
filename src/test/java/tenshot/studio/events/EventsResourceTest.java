package tenshot.studio.events;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.queue.Job;
import tenshot.queue.NewJob;
import tenshot.queue.QueueTestProfile;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;
import tenshot.worker.QueueTestBase;

/** The SSE stream over real HTTP: snapshot, live progress, heartbeats, and resuming with Last-Event-ID. */
@QuarkusTest
@TestProfile(QueueTestProfile.class)
@ExtendWith(SignedInAsOperator.class)
class EventsResourceTest extends QueueTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/api/events")
    URL events;

    /** One parsed SSE message: an event, or a comment line. */
    record Message(String id, String event, String data, String comment) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (Exception e) {
                throw new AssertionError("event data is not JSON: " + data, e);
            }
        }
    }

    /** Reads an SSE stream on a background thread. */
    static final class Stream implements AutoCloseable {
        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final List<Message> seen = new ArrayList<>();
        /** Lines that are none of id, event, data, comment or blank (a {@code content-type:} line, say). */
        final List<String> otherLines = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;

        Stream(URI uri, String lastEventId) {
            this(uri, lastEventId, TestAccounts.operator());
        }

        Stream(URI uri, String lastEventId, TestAccounts.Session as) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                    .header("Cookie", SessionCookies.SESSION + "=" + as.cookie());
            if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
            response = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAccept(r -> {
                String id = null, event = null;
                StringBuilder data = null;
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.isEmpty()) {
                        if (data != null || event != null) messages.add(new Message(id, event, data == null ? null : data.toString(), null));
                        id = null;
                        event = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        messages.add(new Message(null, null, null, line.substring(1).trim()));
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        String part = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                        data = data == null ? new StringBuilder(part) : data.append('\n').append(part);
                    } else {
                        otherLines.add(line);
                    }
                }
            });
        }

        Message next(String what, Predicate<Message> wanted) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                Message m = messages.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) continue;
                seen.add(m);
                if (wanted.test(m)) return m;
            }
            fail("no " + what + " within 30 s; saw " + seen);
            return null;
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
            response.cancel(true);
        }
    }

    private static boolean jobEvent(Message m, long jobId, String state) {
        return "job".equals(m.event()) && m.json().get("id").asLong() == jobId && m.json().get("state").asText().equals(state);
    }

    @Test
    void snapshotThenLiveProgressThenResumeWithLastEventId() throws Exception {
        long mine = queue.enqueue(NewJob.of("COUNT").run(77L).team("a").payload(JSON.readTree(
                "{\"steps\":6,\"stepMillis\":150,\"preview\":true}"))).await().indefinitely().id();
        long other = queue.enqueue(NewJob.of("COUNT").run(78L).team("b")).await().indefinitely().id();
        URI uri = URI.create(events + "?run=77");

        String resumeFrom;
        try (Stream stream = new Stream(uri, null)) {
            Message snapshot = stream.next("snapshot of the queued job", m -> jobEvent(m, mine, "queued"));
            assertEquals(Long.toString(snapshot.json().get("version").asLong()), snapshot.id());
            Message summary = stream.next("the run summaries", m -> "snapshot".equals(m.event()));
            assertEquals(1, summary.json().get("runs").size());
            assertEquals(77L, summary.json().get("runs").get(0).get("runId").asLong());
            assertEquals("queued", summary.json().get("runs").get(0).get("status").asText());
            assertTrue(summary.json().get("workers").isArray());
            stream.next("end of snapshot", m -> "synced".equals(m.event()));

            test.start("sse-worker");
            Message running = stream.next("the job starting", m -> jobEvent(m, mine, "running"));
            resumeFrom = running.id();
            Message progress = stream.next("a progress report",
                    m -> jobEvent(m, mine, "running") && m.json().path("progress").path("step").asInt() >= 2);
            assertEquals("counting", progress.json().get("progress").get("phase").asText());
            assertEquals(6, progress.json().get("progress").get("total").asInt());
            stream.next("the job finishing", m -> jobEvent(m, mine, "succeeded"));
            stream.next("the run finishing", m -> "run".equals(m.event()) && m.json().get("status").asText().equals("succeeded"));
            assertTrue(stream.seen.stream().anyMatch(m -> "run".equals(m.event())
                    && m.json().get("status").asText().equals("running") && m.json().get("runId").asLong() == 77L
                    && m.json().path("total").asInt() == 6), "a run event with the running job's progress");
            assertTrue(stream.seen.stream().anyMatch(m -> "worker".equals(m.event())
                    && m.json().get("id").asText().equals("sse-worker") && m.id() == null), "a worker event");
            stream.next("a heartbeat comment", m -> "heartbeat".equals(m.comment()));
            for (Message m : stream.seen) {
                if ("job".equals(m.event()) || "run".equals(m.event())) {
                    assertEquals(77L, m.json().get("runId").asLong(), "only run 77: " + m);
                }
                if (m.data() != null) assertTrue(m.data().length() < 8000);
            }
            long previous = 0;
            for (Message m : stream.seen) {
                if ("job".equals(m.event()) && m.json().get("id").asLong() == mine) {
                    assertTrue(Long.parseLong(m.id()) > previous, "versions of one job only grow");
                    previous = Long.parseLong(m.id());
                }
            }
        }

        // a browser that reconnects gets what changed since its last event id
        try (Stream again = new Stream(uri, resumeFrom)) {
            Message latest = again.next("the job's current state", m -> jobEvent(m, mine, "succeeded"));
            assertTrue(Long.parseLong(latest.id()) > Long.parseLong(resumeFrom));
            again.next("end of snapshot", m -> "synced".equals(m.event()));
            assertFalse(again.seen.stream().anyMatch(m -> jobEvent(m, mine, "queued")), "nothing older than the resume point");
        }

        byte[] png = given().get("/api/jobs/{id}/preview", mine).then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage preview = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(8, preview.getWidth());
        given().get("/api/jobs/{id}/preview", other).then().statusCode(404).contentType("application/problem+json");
        given().get("/api/events?run=x1").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aNewRunsFirstRunEventCountsAllOfItsJobsAndEventsCarryNoContentType() throws Exception {
        try (Stream stream = new Stream(URI.create(events + "?run=79"), null)) {
            stream.next("end of snapshot", m -> "synced".equals(m.event()));
            List<Job> jobs = queue.enqueueChain(List.of(NewJob.of("COUNT").run(79L).team("a"), NewJob.of("COUNT").run(79L).team("a"),
                    NewJob.of("COUNT").run(79L).team("a"))).await().indefinitely();
            assertEquals(3, jobs.size());
            Message first = stream.next("the run's first summary", m -> "run".equals(m.event()) && m.json().get("runId").asLong() == 79L);
            assertEquals(3, first.json().get("jobs").asInt(), "the first run event already counts every job: " + first.data());
            Predicate<Message> lastJob = m -> "job".equals(m.event()) && m.json().get("id").asLong() == jobs.get(2).id();
            if (stream.seen.stream().noneMatch(lastJob)) stream.next("the last job's event", lastJob);
            assertEquals(jobs.stream().map(Job::id).toList(), stream.seen.stream().filter(m -> "job".equals(m.event()))
                    .map(m -> m.json().get("id").asLong()).toList(), "a job event for each job");
            List<String> edges = new ArrayList<>();
            pool.preparedQuery("SELECT job_id, depends_on FROM job_dependency ORDER BY job_id").execute().await().indefinitely()
                    .forEach(row -> edges.add(row.getLong(0) + "<-" + row.getLong(1)));
            assertEquals(List.of(jobs.get(1).id() + "<-" + jobs.get(0).id(), jobs.get(2).id() + "<-" + jobs.get(1).id()), edges,
                    "each job after the first waits for the one before");
            assertEquals(List.of(), stream.otherLines, "SSE lines besides id, event, data and comments");
        }
    }

    @Test
    void eventsKeepComingAfterTheListenConnectionIsKilled() throws Exception {
        try (Stream stream = new Stream(URI.create(events + "?team=relisten"), null)) {
            stream.next("end of the empty snapshot", m -> "synced".equals(m.event()));
            long killed = pool.query("""
                            SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                             WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()""")
                    .execute().await().indefinitely().iterator().next().getLong("n");
            assertTrue(killed >= 1, "a LISTEN connection was found and killed");
            long id = queue.enqueue(NewJob.of("COUNT").team("relisten")).await().indefinitely().id();
            stream.next("the job queued while LISTEN was reconnecting", m -> jobEvent(m, id, "queued"));
            long later = queue.enqueue(NewJob.of("COUNT").team("relisten")).await().indefinitely().id();
            stream.next("a job queued after the reconnect", m -> jobEvent(m, later, "queued"));
        }
    }

    @Test
    void aWaitingRunsPlaceInTheQueueMovesLiveWhenAJobAheadGoes() throws Exception {
        long first = queue.enqueue(NewJob.of("COUNT").run(91L).team("q1")).await().indefinitely().id();
        queue.enqueue(NewJob.of("COUNT").run(92L).team("q1")).await().indefinitely();
        queue.enqueue(NewJob.of("COUNT").run(93L).team("q1")).await().indefinitely();
        try (Stream stream = new Stream(URI.create(events + "?run=93"), null)) {
            Message snapshot = stream.next("the run summaries", m -> "snapshot".equals(m.event()));
            JsonNode run = snapshot.json().get("runs").get(0);
            assertEquals("queued", run.get("status").asText());
            assertEquals(3, run.get("position").asInt(), "two jobs ahead of it: " + run);
            stream.next("end of snapshot", m -> "synced".equals(m.event()));
            queue.cancel(first, "no longer needed").await().indefinitely();
            Message moved = stream.next("run 93 one place up",
                    m -> "run".equals(m.event()) && m.json().get("runId").asLong() == 93L && m.json().path("position").asInt() == 2);
            assertEquals("queued", moved.json().get("status").asText());
        }
    }

    @Test
    void aRunPageAlsoHearsAboutTheSharedJobsItsJobsWaitFor() throws Exception {
        long prior = queue.enqueue(NewJob.of("COUNT").run(80L).dedupeKey("prior:shared")).await().indefinitely().id();
        long train = queue.enqueue(NewJob.of("COUNT").run(81L).dependsOn(prior)).await().indefinitely().id();
        try (Stream stream = new Stream(URI.create(events + "?run=81"), null)) {
            stream.next("the shared job in the snapshot", m -> jobEvent(m, prior, "queued"));
            stream.next("end of snapshot", m -> "synced".equals(m.event()));
            queue.cancel(prior, "no longer needed").await().indefinitely();
            Message shared = stream.next("the shared job cancelled", m -> jobEvent(m, prior, "cancelled"));
            assertEquals(80L, shared.json().get("runId").asLong());
            assertEquals(81L, shared.json().get("waitingRuns").get(0).asLong());
            stream.next("the run's own job cancelled with it", m -> jobEvent(m, train, "cancelled"));
        }
        assertEquals(List.of(prior), queue.sharedWith(81L).await().indefinitely().stream().map(j -> j.id()).toList());
    }

    @Test
    void membersSeeOnlyTheirOwnTeamsJobsWhateverTheyAskFor() throws Exception {
        long ours = queue.enqueue(NewJob.of("COUNT").run(601L).team("iso-a")).await().indefinitely().id();
        long theirs = queue.enqueue(NewJob.of("COUNT").run(602L).team("iso-b")).await().indefinitely().id();
        TestAccounts.Session member = TestAccounts.member("iso-a");
        for (String query : List.of("?run=601,602", "?team=iso-b", "")) {
            try (Stream stream = new Stream(URI.create(events + query), null, member)) {
                stream.next("end of snapshot", m -> "synced".equals(m.event()));
                List<Long> jobs = stream.seen.stream().filter(m -> "job".equals(m.event()))
                        .map(m -> m.json().get("id").asLong()).toList();
                assertTrue(!jobs.contains(theirs), query + ": another team's job was sent: " + stream.seen);
                if (!query.contains("team=")) assertTrue(jobs.contains(ours), query + ": own job missing: " + stream.seen);
                Message snapshot = stream.seen.stream().filter(m -> "snapshot".equals(m.event())).findFirst().orElseThrow();
                for (var run : snapshot.json().get("runs")) {
                    assertEquals("iso-a", run.get("team").asText(), query + ": another team's run summary: " + run);
                }
            }
        }
        member.forAllRequests();
        given().get("/api/jobs/{id}", theirs).then().statusCode(404);
        given().get("/api/jobs?team=iso-b").then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
        given().post("/api/jobs/{id}/cancel", theirs).then().statusCode(404);
        given().get("/api/jobs/{id}", ours).then().statusCode(200);
    }

    @Test
    void workerEventsNameAnotherTeamsJobOnlyToOrganisers() throws Exception {
        long job = queue.enqueue(NewJob.of("COUNT").run(91L).team("a").payload(JSON.readTree(
                "{\"steps\":20,\"stepMillis\":100}"))).await().indefinitely().id();
        try (Stream member = new Stream(URI.create(events.toString()), null, TestAccounts.member("events-b"));
             Stream organiser = new Stream(URI.create(events.toString()), null)) {
            member.next("the member's snapshot", m -> "snapshot".equals(m.event()));
            organiser.next("the organiser's snapshot", m -> "snapshot".equals(m.event()));
            test.start("sse-redact");
            Message seenByOrganiser = organiser.next("the worker busy with team a's job", m -> "worker".equals(m.event())
                    && m.json().get("id").asText().equals("sse-redact") && m.json().path("currentJob").asLong() == job);
            assertEquals(91L, seenByOrganiser.json().get("runId").asLong());
            assertEquals("a", seenByOrganiser.json().get("team").asText());
            Message seenByMember = member.next("the worker busy", m -> "worker".equals(m.event())
                    && m.json().get("id").asText().equals("sse-redact") && m.json().get("status").asText().equals("busy"));
            assertTrue(seenByMember.json().get("currentJob").isNull(), seenByMember.data());
            assertTrue(seenByMember.json().get("runId").isNull(), seenByMember.data());
            assertTrue(seenByMember.json().get("team").isNull(), seenByMember.data());
            assertEquals("cpu", seenByMember.json().get("device").asText());
            assertTrue(member.seen.stream().noneMatch(m -> m.data() != null && m.data().contains("\"runId\":91")),
                    "the member never sees run 91: " + member.seen);
        }
    }
}

package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.TestAccounts;
import tenshot.testing.Fixtures;

/** Runs of the A board's style 00 through the API, from upload to the end, for the studio's end-to-end tests. */
final class StudioRuns {

    private StudioRuns() {}

    /** A run that ended, with the data lines of its SSE stream. */
    record FinishedRun(int id, List<String> prompts, JsonPath view, List<String> events) {}

    /** A run just started, with its style set's prompts. */
    record StartedRun(int id, List<String> prompts) {}

    /**
     * Uploads style 00 of the A board with these prompts (a {@code prompt.json}) and starts a run of {@code recipe}
     * with more fields of the run request ({@code , "train": false}).
     */
    static StartedRun start(String name, String recipe, byte[] promptJson, String moreFields) throws Exception {
        Path style = Fixtures.dataset("jittor-a/00");
        RequestSpecification upload = given().multiPart("name", name).multiPart("styleId", "00")
                .multiPart("prompts", "prompt.json", promptJson, "application/json");
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            for (Path image : images.sorted().toList()) {
                upload = upload.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        JsonPath set = upload.when().post("/api/style-sets").then().statusCode(201).extract().jsonPath();
        int run = given().contentType("application/json")
                .body("{\"styleSetId\": " + set.getInt("id") + ", \"recipe\": " + recipe + moreFields + "}")
                .when().post("/api/runs").then().statusCode(201).body("baseModel", equalTo("demo-sd21"))
                .extract().path("id");
        return new StartedRun(run, set.getList("prompts", String.class));
    }

    /** {@link #start} and waits for the run to succeed, listening to its events. */
    static FinishedRun runToTheEnd(URL base, String name, String recipe, byte[] promptJson, String moreFields) throws Exception {
        StartedRun started = start(name, recipe, promptJson, moreFields);
        int run = started.id();
        List<String> prompts = started.prompts();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        String cookie = TestAccounts.operator().cookie();
        Thread listener = new Thread(() -> listen(URI.create(base + "api/events?run=" + run), cookie, events), "sse-listener");
        listener.setDaemon(true);
        listener.start();

        JsonPath view = RunPolling.untilEnded(run);
        assertEquals("SUCCEEDED", view.getString("status"), "run ended as " + view.getString("status") + ": " + view.getString("error"));
        synchronized (events) {
            return new FinishedRun(run, prompts, view, List.copyOf(events));
        }
    }

    /** Reads the run's SSE stream, keeping every data line, until the test ends. */
    private static void listen(URI uri, String sessionCookie, List<String> events) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .header("Cookie", SessionCookies.SESSION + "=" + sessionCookie).build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("data:")) events.add(line.substring(5).strip());
                }
            }
        } catch (Exception e) {
            events.add("listener stopped: " + e);
        }
    }

    /** The PNG entries of a submission zip, each checked to be {@code width} pixels wide. */
    static Set<String> pngNames(byte[] zip, int width) throws Exception {
        Set<String> names = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.getName().endsWith(".png")) continue;
                names.add(e.getName());
                assertEquals(width, ImageIO.read(new ByteArrayInputStream(in.readAllBytes())).getWidth(), e.getName());
            }
        }
        return names;
    }
}

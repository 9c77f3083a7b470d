package tenshot.studio.limits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.AccessFilter;
import tenshot.studio.access.SessionCookies;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.access.TestAccounts;

/** Body size and JSON shape limits, over HTTP against the running studio. */
@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class RequestLimitsApiTest {

    static final int MIB = 1024 * 1024;

    @TestHTTPResource("/")
    URL root;

    @Test
    void aJsonBodyOverTheLimitIsRefusedFromItsContentLength() {
        byte[] body = new byte[MIB + 1];
        Arrays.fill(body, (byte) ' ');
        given().contentType("application/json").body(body).when().post("/api/runs").then()
                .statusCode(413).contentType("application/problem+json")
                .body("status", equalTo(413))
                .body("detail", allOf(containsString("1048577 bytes"), containsString("1048576 bytes"),
                        containsString("tenshot.limits.json-body")));
    }

    @Test
    void aJsonBodyJustUnderTheLimitIsRead() {
        String json = "{\"styleSetId\": 987654}";
        byte[] body = (json + " ".repeat(MIB - json.length())).getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json").body(body).when().post("/api/runs").then()
                .statusCode(404).contentType("application/problem+json").body("detail", containsString("987654"));
    }

    @Test
    void aChunkedJsonBodyOverTheLimitIsRefusedWhileItIsRead() throws IOException {
        String response = chunked("/api/runs", "application/json", new byte[2 * MIB], 64 * 1024);
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.contains("application/problem+json"), response);
        assertTrue(response.contains("no Content-Length") && response.contains("1048576 bytes"), response);
    }

    @Test
    void aSmallChunkedJsonBodyIsHandedOnWhole() throws IOException {
        byte[] json = "{\"styleSetId\": 876543, \"recipe\": \"baseline\"}".getBytes(StandardCharsets.UTF_8);
        String response = chunked("/api/runs", "application/json", json, 7);
        assertTrue(response.startsWith("HTTP/1.1 404"), response);
        assertTrue(response.contains("876543"), "the endpoint read the whole chunked body: " + response);
    }

    @Test
    void formPostsHaveTheSmallLimit() throws IOException {
        given().contentType("application/x-www-form-urlencoded").body("styleSetId=1&recipe=" + "x".repeat(70 * 1024))
                .when().post("/runs").then()
                .statusCode(413).contentType("application/problem+json")
                .body("detail", allOf(containsString("65536 bytes"), containsString("tenshot.limits.form-body")));
        String response = chunked("/runs", "application/x-www-form-urlencoded",
                ("recipe=" + "y".repeat(100 * 1024)).getBytes(StandardCharsets.UTF_8), 8 * 1024);
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
    }

    @Test
    void uploadsKeepTheirLargeLimit() {
        byte[] notAnImage = new byte[3 * MIB];
        given().multiPart("name", "big").multiPart("prompts", "[\"Dolphin\"]")
                .multiPart("images", "big.png", notAnImage, "image/png")
                .when().post("/api/style-sets").then()
                .statusCode(415).body("subject", equalTo("big.png"));
    }

    @Test
    void deepJsonIsRefusedNamingTheLimit() {
        String deep = "{\"styleSetId\": 1, \"recipe\": " + "[".repeat(200) + "]".repeat(200) + "}";
        given().contentType("application/json").body(deep).when().post("/api/runs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nesting depth"));
    }

    @Test
    void hugeStringsAndNumbersAreRefusedNamingTheLimit() {
        String longString = "{\"styleSetId\": 1, \"baseModel\": \"" + "m".repeat(300_000) + "\"}";
        given().contentType("application/json").body(longString).when().post("/api/runs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("String value length"));
        String longNumber = "{\"styleSetId\": " + "9".repeat(500) + "}";
        given().contentType("application/json").body(longNumber).when().post("/api/runs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Number value length"));
    }

    @Test
    void deepRecipesInRerunsAreRefused() {
        String deep = "{\"recipe\": {\"steps\": " + "{\"a\": ".repeat(100) + "1" + "}".repeat(100) + "}}";
        given().contentType("application/json").body(deep).when().post("/api/runs/1/rerun").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nesting depth"));
    }

    /** Sends {@code body} with Transfer-Encoding: chunked (no Content-Length) and returns the raw response. */
    private String chunked(String path, String type, byte[] body, int chunkSize) throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            TestAccounts.Session operator = TestAccounts.operator();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: " + type
                    + "\r\nCookie: " + SessionCookies.SESSION + "=" + operator.cookie()
                    + "\r\n" + AccessFilter.CSRF_HEADER + ": " + operator.csrfToken()
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                for (int off = 0; off < body.length; off += chunkSize) {
                    int n = Math.min(chunkSize, body.length - off);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, off, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException refusedMidway) {
                // the server may answer and close before the whole body is sent; the answer is still there
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

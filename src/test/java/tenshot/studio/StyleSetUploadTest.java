package tenshot.studio;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tenshot.studio.access.SignedInAsOperator;
import tenshot.studio.upload.BadImages;
import tenshot.testing.Fixtures;

@QuarkusTest
@ExtendWith(SignedInAsOperator.class)
class StyleSetUploadTest {

    /** Where uploads land: the running application's data dir (a fresh one per test start). */
    private static Path store() {
        return Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("tenshot.data-dir", String.class), "artifacts", "stylesets");
    }

    private static RequestSpecification withStyle(Path styleDir) throws IOException {
        RequestSpecification request = given().multiPart("name", "upload " + styleDir.getFileName())
                .multiPart("styleId", styleDir.getFileName().toString())
                .multiPart("prompts", "prompt.json", Files.readAllBytes(styleDir.resolve("prompt.json")), "application/json");
        try (Stream<Path> images = Files.list(styleDir.resolve("images"))) {
            for (Path image : images.sorted().toList()) {
                request = request.multiPart("images", image.getFileName().toString(), Files.readAllBytes(image), "image/png");
            }
        }
        return request;
    }

    @Test
    void uploadsAChallengeStyle() throws IOException {
        Path style = Fixtures.dataset("jittor-a/01");
        Response created = withStyle(style).when().post("/api/style-sets").then()
                .statusCode(201)
                .body("styleId", equalTo("01"))
                .body("prompts", hasSize(25))
                .body("prompts[0]", equalTo("Tomato"))
                .body("images", hasSize(10))
                .body("images.objectName", hasItems("wallet", "ball", "house"))
                .extract().response();
        int id = created.path("id");
        given().when().get("/api/style-sets/" + id).then().statusCode(200).body("images[9].objectName", equalTo("wallet"));

        byte[] png = given().when().get("/api/style-sets/" + id + "/images/0").then().statusCode(200)
                .header("Accept-Ranges", "bytes").contentType("image/png").extract().asByteArray();
        byte[] tail = given().header("Range", "bytes=10-19").when().get("/api/style-sets/" + id + "/images/0")
                .then().statusCode(206).header("Content-Range", "bytes 10-19/" + png.length).extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(png, 10, 20), tail);
        given().header("Range", "bytes=" + png.length + "-").when().get("/api/style-sets/" + id + "/images/0")
                .then().statusCode(416).header("Content-Range", "bytes */" + png.length);
    }

    @Test
    void takesThePromptsAsAJsonArrayInATextField() throws IOException {
        byte[] boat = Files.readAllBytes(Fixtures.dataset("jittor-a/00/images/boat.png"));
        given().multiPart("name", "array prompts").multiPart("prompts", "[\"Dolphin\", \"Bread\"]")
                .multiPart("images", "boat.png", boat, "application/octet-stream")
                .when().post("/api/style-sets").then().statusCode(201)
                .body("prompts", equalTo(List.of("Dolphin", "Bread")));
    }

    @Test
    void keepsTheStylesPromptTemplateAndRefusesOneWithoutTheObject() throws IOException {
        byte[] boat = Files.readAllBytes(Fixtures.dataset("jittor-a/00/images/boat.png"));
        int id = given().multiPart("name", "paper").multiPart("prompts", "[\"Dolphin\"]")
                .multiPart("promptTemplate", "\"paper\" painting of {object}")
                .multiPart("images", "boat.png", boat, "image/png")
                .when().post("/api/style-sets").then().statusCode(201)
                .body("promptTemplate", equalTo("\"paper\" painting of {object}")).extract().path("id");
        given().when().get("/api/style-sets/" + id).then().statusCode(200)
                .body("promptTemplate", equalTo("\"paper\" painting of {object}"));
        given().when().get("/style-sets/" + id).then().statusCode(200)
                .body(containsString("painting of {object}"));
        assertRejected(goodUploadPlus("cat.png", boat).multiPart("promptTemplate", "a paper painting"), 400, "promptTemplate",
                "{object}");
        assertRejected(goodUploadPlus("cat.png", boat).multiPart("promptTemplate", "{object} in style_{id}"), 400, "promptTemplate",
                "{id}");
    }

    private void assertRejected(RequestSpecification request, int status, String subject, String detail) throws IOException {
        long before = storedFiles();
        request.when().post("/api/style-sets").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("subject", equalTo(subject))
                .body("detail", containsString(detail));
        assertEquals(before, storedFiles(), "a rejected upload stores nothing");
    }

    private static RequestSpecification goodUploadPlus(String name, byte[] content) throws IOException {
        byte[] boat = Files.readAllBytes(Fixtures.dataset("jittor-a/00/images/boat.png"));
        return given().multiPart("name", "bad").multiPart("prompts", "[\"Dolphin\"]")
                .multiPart("images", "boat.png", boat, "image/png")
                .multiPart("images", name, content, "image/png");
    }

    @Test
    void refusesATruncatedPng() throws IOException {
        assertRejected(goodUploadPlus("cow.png", BadImages.truncatedPng()), 400, "cow.png", "truncated or corrupt");
    }

    @Test
    void refusesAWrongMagicNumber() throws IOException {
        assertRejected(goodUploadPlus("cow.png", "<html>not an image</html>".getBytes()), 415, "cow.png", "not a PNG or JPEG");
    }

    @Test
    void refusesADecompressionBomb() throws IOException {
        assertRejected(goodUploadPlus("cow.png", BadImages.pngClaiming(100_000, 100_000)), 413, "cow.png", "100000x100000");
    }

    @Test
    void refusesPathTraversalNames() throws IOException {
        byte[] ok = BadImages.png(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));
        assertRejected(goodUploadPlus("..%2Fevil.png".replace("%2F", "/"), ok), 400, "../evil.png", "..");
        assertRejected(goodUploadPlus("sub/evil.png", ok), 400, "sub/evil.png", "separator");
    }

    @Test
    void refusesDuplicateObjects() throws IOException {
        byte[] ok = BadImages.png(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));
        assertRejected(goodUploadPlus("boat_2.png", ok), 400, "boat_2.png", "same object");
    }

    @Test
    void refusesOversizedPromptJson() throws IOException {
        byte[] boat = Files.readAllBytes(Fixtures.dataset("jittor-a/00/images/boat.png"));
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 10_000; i++) json.append(i == 0 ? "" : ",").append("\"prompt number ").append(i).append('"');
        json.append(']');
        assertRejected(given().multiPart("name", "big").multiPart("prompts", json.toString())
                .multiPart("images", "boat.png", boat, "image/png"), 413, "prompts", "limit");
        assertRejected(given().multiPart("name", "big").multiPart("prompts", "prompt.json", json.toString().getBytes(), "application/json")
                .multiPart("images", "boat.png", boat, "image/png"), 413, "prompts", "limit");
    }

    @Test
    void refusesAnUploadWithoutImagesOrPrompts() throws IOException {
        assertRejected(given().multiPart("name", "empty").multiPart("prompts", "[\"Dolphin\"]"), 400, "images", "no images");
        byte[] boat = Files.readAllBytes(Fixtures.dataset("jittor-a/00/images/boat.png"));
        assertRejected(given().multiPart("name", "np").multiPart("images", "boat.png", boat, "image/png"), 400, "prompts", "missing");
    }

    @Test
    void importsAZippedChallengeFolder() throws IOException {
        Path root = Fixtures.dataset("jittor-a");
        Path zip = Files.createTempFile("challenge", ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry("jittor-a/" + root.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        given().multiPart("archive", zip.toFile(), "application/zip").multiPart("namePrefix", "A")
                .when().post("/api/style-sets/import").then().statusCode(201)
                .body("", hasSize(3))
                .body("styleId", equalTo(List.of("00", "01", "02")))
                .body("name", hasItems("A 00", "A 02"))
                .body("prompts", equalTo(List.of(25, 25, 25)));
    }

    @Test
    void refusesZipsWithTraversalEntries() throws IOException {
        Path zip = Files.createTempFile("evil", ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("00/prompt.json"));
            out.write("[\"Dolphin\"]".getBytes());
            out.putNextEntry(new ZipEntry("00/images/../../../escape.png"));
            out.write(1);
        }
        long before = storedFiles();
        given().multiPart("archive", zip.toFile(), "application/zip").when().post("/api/style-sets/import").then()
                .statusCode(400).contentType("application/problem+json")
                .body("subject", equalTo("00/images/../../../escape.png"));
        assertEquals(before, storedFiles());
    }

    @Test
    void refusesServerSideImportWhenNoImportRootIsSet() {
        given().contentType("application/json").body("{\"path\": \"jittor-a\"}")
                .when().post("/api/style-sets/import-path").then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void unknownStyleSetsAreProblems() {
        given().when().get("/api/style-sets/999999").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("999999"));
    }

    private static long storedFiles() throws IOException {
        if (!Files.isDirectory(store())) return 0;
        try (Stream<Path> files = Files.walk(store())) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    static void write(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
    }
}

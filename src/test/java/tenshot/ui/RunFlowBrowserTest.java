package tenshot.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/**
 * A person's whole path on the demo model: drop a style set, choose a preset and edit its settings,
 * start a short run, watch the live status reach done, open the grid and an image full size with its
 * seed, download the submission zip, the LoRA and the config, and submit the scored run to the leaderboard.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class RunFlowBrowserTest extends BrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void runOnTheDemoModelReachesDoneWithGridAndDownloads() throws IOException {
        Path style = Fixtures.dataset("jittor-a/00");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> images = Files.list(style.resolve("images"))) {
            images.filter(p -> p.toString().endsWith(".png")).sorted().limit(3).forEach(files::add);
        }
        Path prompts = Files.createDirectories(Path.of("target", "ui-fixtures")).resolve("prompt.json");
        Files.writeString(prompts, "{\"0\": \"Dolphin\", \"1\": \"Bread\"}");
        files.add(prompts);

        page.navigate("style-sets");
        BrowserDrops.dropFiles(page, "#drop-zone", files);
        page.fill("#ts-set-name", "Run flow");
        page.fill("#ts-style-id", "07");
        page.click("#ts-upload");
        page.waitForURL(Pattern.compile(".*/style-sets/\\d+$"), new Page.WaitForURLOptions().setTimeout(120_000));

        // choosing a preset puts all of its settings in the box, to edit
        page.selectOption("#recipe", "safe");
        ObjectNode settings = (ObjectNode) JSON.readTree(page.inputValue("#settings"));
        assertEquals("safe", settings.get("name").asText());
        assertEquals(32, settings.get("rank").asInt());
        assertThat(page.locator("#preset-settings")).isHidden();
        // short: two steps at 64 px, no class images, two denoising steps; and a seed of its own
        settings.put("steps", 2).put("resolution", 64).put("priorLossWeight", 0).put("seed", 1000);
        ((ObjectNode) settings.get("generation")).put("steps", 2);
        page.fill("#settings", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings));
        screenshot("style-set-run-form");
        page.click("#run-form button[type=submit]");
        page.waitForURL(Pattern.compile(".*/runs/\\d+$"));
        long run = Long.parseLong(page.url().replaceAll(".*/runs/", ""));
        screenshot("run-live");

        Locator shownSettings = page.locator("#run-settings-json");
        assertThat(shownSettings).isVisible();
        JsonNode shown = JSON.readTree(shownSettings.textContent());
        assertEquals("safe", shown.get("name").asText());
        assertEquals(2, shown.get("steps").asInt());
        assertEquals(2, shown.at("/generation/steps").asInt());
        assertEquals(0.0, shown.get("priorLossWeight").asDouble());
        assertEquals(32, shown.get("rank").asInt(), "what was not edited keeps the preset's value");

        Locator status = page.locator(".ts-status-line");
        assertThat(status).hasAttribute("data-status", Pattern.compile("succeeded|done"),
                new LocatorAssertions.HasAttributeOptions().setTimeout(540_000));
        // the page reloads itself to show the results once the run has finished
        assertThat(page.locator("#run-grid figure")).hasCount(2, new LocatorAssertions.HasCountOptions().setTimeout(30_000));
        waitForImages();
        screenshot("run-done");

        // prompt i is generated from seed + i: Bread is prompt 1
        page.locator("#run-grid figure[data-prompt='Bread'] img").click();
        assertThat(page.locator("#lightbox")).isVisible();
        assertThat(page.locator("#lightbox-title")).hasText("Bread");
        page.waitForFunction("() => document.querySelector('#lightbox img').naturalWidth > 0");
        assertThat(page.locator("#lightbox dd").first()).hasText("Bread");
        assertThat(page.locator("#lightbox dt:text-is('Seed') + dd")).hasText("1001");
        assertThat(page.locator("#lightbox dt:text-is('steps') + dd")).hasText("2");
        screenshot("run-image", false);
        page.keyboard().press("Escape");

        Download zip = page.waitForDownload(() -> page.locator("a[download]", new Page.LocatorOptions().setHasText("submission zip")).click());
        TreeSet<String> entries = new TreeSet<>();
        try (InputStream in = Files.newInputStream(zip.path()); ZipInputStream stream = new ZipInputStream(in)) {
            for (ZipEntry e; (e = stream.getNextEntry()) != null; ) entries.add(e.getName());
        }
        assertTrue(entries.containsAll(List.of("07/Bread.png", "07/Dolphin.png")), "zip entries: " + entries);
        entries.stream().filter(n -> n.endsWith(".png")).forEach(n -> assertTrue(n.matches("07/[^/]+\\.png"), n));

        Download lora = page.waitForDownload(() -> page.locator("a[download]", new Page.LocatorOptions().setHasText("LoRA")).click());
        assertSafetensors(Files.readAllBytes(lora.path()));
        Download config = page.waitForDownload(() -> page.locator("a[download]", new Page.LocatorOptions().setHasText("Config")).click());
        JsonNode configJson = JSON.readTree(config.path().toFile());
        assertEquals("safe", configJson.at("/recipe/name").asText());
        assertEquals(2, configJson.at("/recipe/steps").asInt());
        assertEquals("07", configJson.get("styleId").asText());

        // its SCORE job scored it (hist only: the other metrics have no model here); submit it
        assertThat(page.locator("#scorecard [data-metric='hist'] td").nth(1)).hasText(Pattern.compile("\\d\\.\\d+"));
        page.locator("#scorecard button", new Page.LocatorOptions().setHasText("Submit to the leaderboard")).click();
        page.waitForURL(Pattern.compile(".*/leaderboard\\?dataset=A.*"));
        Locator row = page.locator("#leaderboard tbody tr[data-team='default']");
        Locator cells = row.locator("td");
        assertThat(cells.nth(4)).hasText(Pattern.compile("\\d\\.\\d+"));
        assertThat(cells.nth(3)).containsText("missing");
        assertThat(cells.nth(9)).hasText(String.valueOf(run));
        assertThat(cells.nth(10)).hasText("safe");
        assertTrue((Boolean) page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"),
                "the ranking with real rows fits a laptop screen");
        screenshot("leaderboard-submitted");
        assertEquals(List.of(), scriptErrors());
    }

    /** A safetensors file: an 8-byte little-endian header length, a JSON header, then exactly the tensors' bytes. */
    private static void assertSafetensors(byte[] file) throws IOException {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(headerLength > 0 && 8 + headerLength <= file.length, "header length " + headerLength + " of " + file.length + " bytes");
        JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        long end = 0;
        List<String> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals("__metadata__")) continue;
            tensors.add(field.getKey());
            end = Math.max(end, field.getValue().get("data_offsets").get(1).asLong());
        }
        assertTrue(tensors.stream().anyMatch(n -> n.contains("lora")), "LoRA tensors: " + tensors);
        assertEquals(file.length, 8 + headerLength + end, "the tensors fill the rest of the file");
    }
}

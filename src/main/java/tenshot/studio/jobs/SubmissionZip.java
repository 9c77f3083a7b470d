package tenshot.studio.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import tenshot.store.ArtifactStore;

/**
 * Writes runs in the challenge's submission layout, {@code {style_id}/{Prompt}.png}, plus one
 * top-level {@code config.json} holding each style's run config by style id (outside the style
 * folders, where the evaluator expects only images). Streams from the store into the output: no
 * image is held in memory beyond a copy buffer.
 */
public final class SubmissionZip {

    /** One run's part of a submission. */
    public record Part(String styleId, List<String> prompts, String imagePrefix, String configJson) {}

    private SubmissionZip() {}

    /** Style ids must differ: a submission has one folder per style. */
    public static void checkDistinct(List<Part> parts) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Part part : parts) {
            if (!seen.add(part.styleId())) {
                throw new IllegalArgumentException("two runs of style " + part.styleId() + ": a submission has one run per style");
            }
        }
    }

    public static void write(ArtifactStore store, List<Part> parts, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        for (Part part : parts) {
            for (String prompt : part.prompts()) {
                zip.putNextEntry(new ZipEntry(part.styleId() + "/" + prompt + ".png"));
                try (InputStream in = store.open(part.imagePrefix() + prompt + ".png")) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
        StringBuilder config = new StringBuilder("{");
        for (int i = 0; i < parts.size(); i++) {
            config.append(i == 0 ? "\n  \"" : ",\n  \"").append(parts.get(i).styleId()).append("\": ")
                    .append(parts.get(i).configJson().strip());
        }
        config.append("\n}\n");
        zip.putNextEntry(new ZipEntry("config.json"));
        zip.write(config.toString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.finish();
        zip.flush();
    }
}

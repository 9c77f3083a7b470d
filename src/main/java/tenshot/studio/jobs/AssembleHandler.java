package tenshot.studio.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import tenshot.diffusion.StepReport;
import tenshot.store.ArtifactStore;
import tenshot.worker.JobContext;
import tenshot.worker.JobHandler;
import tenshot.worker.PermanentJobFailure;

/** Makes a finished run's downloads: the grid image, {@code config.json} and the submission zip. */
@ApplicationScoped
public class AssembleHandler implements JobHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ArtifactStore store;

    @Override
    public String kind() {
        return JobKinds.ASSEMBLE;
    }

    @Override
    public Object run(JobContext context) throws Exception {
        RunSpec spec = context.payload(RunSpec.class);
        for (String prompt : spec.prompts()) {
            if (!store.exists(spec.imageKey(prompt))) {
                throw new PermanentJobFailure("the generation for \"" + prompt + "\" is missing (" + spec.imageKey(prompt) + ")");
            }
        }
        int total = spec.images().size() + spec.prompts().size() + 2;
        int step = 0;
        List<ResultGrid.Cell> styleRow = new ArrayList<>();
        for (RunSpec.StyleImageRef image : spec.images()) {
            styleRow.add(new ResultGrid.Cell(read(image.key()), image.objectName()));
            context.progress().onStep(StepReport.of("assembling", ++step, total, 0));
        }
        List<ResultGrid.Cell> generations = new ArrayList<>();
        for (String prompt : spec.prompts()) {
            generations.add(new ResultGrid.Cell(read(spec.imageKey(prompt)), prompt));
            context.progress().onStep(StepReport.of("assembling", ++step, total, 0));
        }
        BufferedImage grid = ResultGrid.draw(styleRow, generations);
        try (ArtifactStore.PendingWrite write = store.begin(spec.gridKey())) {
            ImageIO.write(grid, "png", write.stream());
            write.commit();
        }
        context.progress().onStep(StepReport.of("assembling", ++step, total, 0));

        String config = config(spec);
        store.put(spec.configKey(), config.getBytes(StandardCharsets.UTF_8));
        try (ArtifactStore.PendingWrite write = store.begin(spec.zipKey())) {
            SubmissionZip.write(store, List.of(new SubmissionZip.Part(spec.styleId(), spec.prompts(),
                    spec.prefix() + "images/", config)), write.stream());
            write.commit();
        }
        context.progress().onStep(StepReport.of("assembling", ++step, total, 0));
        return Map.of("grid", spec.gridKey(), "zip", spec.zipKey(), "config", spec.configKey(),
                "images", spec.prompts().size());
    }

    /** What the run was: the recipe, model, style and prompts, as written beside its results. */
    static String config(RunSpec spec) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("runId", spec.runId());
        node.put("styleId", spec.styleId());
        node.put("styleSetId", spec.styleSetId());
        node.put("baseModel", spec.baseModel());
        node.set("recipe", JSON.readTree(spec.recipe()));
        node.set("styleImages", JSON.valueToTree(spec.images().stream().map(RunSpec.StyleImageRef::objectName).toList()));
        node.set("prompts", JSON.valueToTree(spec.prompts()));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    private BufferedImage read(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null) throw new PermanentJobFailure("stored image " + key + " cannot be decoded");
            return image;
        }
    }
}

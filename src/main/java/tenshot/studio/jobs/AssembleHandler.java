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

/** Makes a finished run's downloads: the grid image (one per style of a board), {@code config.json} and the submission zip. */
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
        if (BoardSpec.isBoard(context.payload())) return runBoard(context, context.payload(BoardSpec.class));
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
        node.put("train", spec.trains());
        node.set("styleImages", JSON.valueToTree(spec.images().stream().map(RunSpec.StyleImageRef::objectName).toList()));
        node.set("prompts", JSON.valueToTree(spec.prompts()));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** A board's downloads: one grid per style, the board's config and one zip with every style's folder. */
    private Object runBoard(JobContext context, BoardSpec spec) throws Exception {
        int total = spec.styles().size() + 1;
        int step = 0;
        List<SubmissionZip.Part> parts = new ArrayList<>();
        ObjectNode configs = JSON.createObjectNode();
        for (BoardSpec.Style style : spec.styles()) {
            List<ResultGrid.Cell> styleRow = new ArrayList<>();
            for (RunSpec.StyleImageRef image : style.images()) styleRow.add(new ResultGrid.Cell(read(image.key()), image.objectName()));
            List<ResultGrid.Cell> generations = new ArrayList<>();
            for (String prompt : style.prompts()) {
                String key = spec.imageKey(style, prompt);
                if (!store.exists(key)) {
                    throw new PermanentJobFailure("the generation for \"" + prompt + "\" of style " + style.styleId() + " is missing (" + key + ")");
                }
                generations.add(new ResultGrid.Cell(read(key), prompt));
            }
            try (ArtifactStore.PendingWrite write = store.begin(spec.gridKey(style))) {
                ImageIO.write(ResultGrid.draw(styleRow, generations), "png", write.stream());
                write.commit();
            }
            RunSpec styleRun = new RunSpec(spec.runId(), style.styleSetId(), style.styleId(), spec.baseModel(), spec.recipe(),
                    style.images(), style.prompts(), spec.scoringMode(), style.promptTemplate(), true);
            String config = config(styleRun);
            configs.set(style.styleId(), JSON.readTree(config));
            parts.add(new SubmissionZip.Part(style.styleId(), style.prompts(),
                    BoardSpec.stylePrefix(spec.runId(), style.styleId()) + RunSpec.IMAGES, config));
            context.progress().onStep(StepReport.of("assembling", ++step, total, 0));
        }
        store.put(spec.configKey(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(configs));
        try (ArtifactStore.PendingWrite write = store.begin(spec.zipKey())) {
            SubmissionZip.write(store, parts, write.stream());
            write.commit();
        }
        context.progress().onStep(StepReport.of("assembling", ++step, total, 0));
        return Map.of("zip", spec.zipKey(), "config", spec.configKey(), "styles", spec.styles().size(),
                "images", spec.styles().stream().mapToInt(s -> s.prompts().size()).sum());
    }

    private BufferedImage read(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null) throw new PermanentJobFailure("stored image " + key + " cannot be decoded");
            return image;
        }
    }
}

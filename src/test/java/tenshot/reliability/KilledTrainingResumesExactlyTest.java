package tenshot.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.diffusion.train.TrainingCheckpoints;
import tenshot.diffusion.train.TrainingRecipe;
import tenshot.testing.ChildProcesses;
import tenshot.testing.ChildProcesses.Child;
import tenshot.testing.Fixtures;

/**
 * Resume is exact: {@code tenshot train} on tiny-sd21 (CPU), killed with SIGKILL at a seeded random step
 * between two checkpoints and resumed with {@code --resume}, writes the same LoRA file, byte for byte, as
 * an uninterrupted run of the same recipe and seed; and the images generated with either LoRA are the same
 * bytes. Each lane has its own class-image cache, so a killed run's cached class images must equal freshly
 * generated ones too. The step draws (noise, timesteps, data order, crops) are a pure function of (seed,
 * step) and the checkpoint holds the weights and both AdamW moments in fp32, so nothing is approximated.
 */
class KilledTrainingResumesExactlyTest {

    private static final int STEPS = 12;
    private static final int CHECKPOINT_EVERY = 4;
    private static final long SEED = Long.getLong("tenshot.reliability.seed", 15);
    private static final Pattern STEP_LINE = Pattern.compile("(?m)^step (\\d+)/" + STEPS + "\\b");
    private static final Pattern RESUMED = Pattern.compile("(?m)^resumed from step (\\d+)$");

    @TempDir
    static Path work;

    static Path style;
    static Path recipe;
    static Path prompts;

    private final ChildProcesses children = new ChildProcesses();

    @BeforeAll
    static void styleSetAndRecipe() throws IOException {
        style = Fixtures.twoImageStyle(work.resolve("style"));
        recipe = work.resolve("recipe.json");
        Files.writeString(recipe, TrainingRecipe.safe().with(Map.of("steps", STEPS, "rank", 4, "alpha", 4,
                "checkpointEvery", CHECKPOINT_EVERY, "previewEvery", 0, "classImagesPerPrompt", 1, "classImageSteps", 2,
                "learningRate", 1e-2, "seed", 1234)).toJson());
        prompts = work.resolve("prompts.json");
        Files.writeString(prompts, "{\"0\": \"Boat\", \"1\": \"Lighthouse\"}");
    }

    @AfterEach
    void stopChildren() {
        children.close();
    }

    @Test
    void aTrainingKilledBetweenCheckpointsAndResumedWritesTheUninterruptedLoraAndImages() throws Exception {
        Path whole = work.resolve("whole");
        Child uninterrupted = train("whole", whole, false);
        assertEquals(0, uninterrupted.await(600), uninterrupted.tail());

        Random random = new Random(SEED);
        int killAfter;
        do {
            killAfter = CHECKPOINT_EVERY + 1 + random.nextInt(STEPS - CHECKPOINT_EVERY - 3);
        } while (killAfter % CHECKPOINT_EVERY == 0);
        Path parts = work.resolve("parts");
        Child killed = train("killed", parts, false);
        int reached = awaitStep(killed, killAfter);
        assertEquals(137, killed.kill(), "the training was killed with SIGKILL");
        int lastReported = lastStep(killed);
        long checkpoint = latestCheckpoint(parts.resolve("out/checkpoints"));
        assertTrue(checkpoint >= CHECKPOINT_EVERY && checkpoint < STEPS, "seed " + SEED + ": killed after step " + lastReported
                + " with the newest checkpoint at step " + checkpoint);
        assertTrue(reached >= killAfter && lastReported < STEPS, "seed " + SEED + ": the kill came after step " + lastReported);

        Child resumed = train("resumed", parts, true);
        assertEquals(0, resumed.await(600), resumed.tail());
        Matcher from = RESUMED.matcher(resumed.output());
        assertTrue(from.find(), "the resumed run says where it resumed from:\n" + resumed.tail());
        assertEquals(checkpoint, Long.parseLong(from.group(1)), "it resumed from the newest complete checkpoint");

        Path wholeLora = whole.resolve("out/pytorch_lora_weights.safetensors");
        Path resumedLora = parts.resolve("out/pytorch_lora_weights.safetensors");
        assertEquals(-1, Files.mismatch(wholeLora, resumedLora), "seed " + SEED + ": the resumed LoRA differs from the"
                + " uninterrupted one (killed after step " + lastReported + ", resumed from " + checkpoint + ")");

        Path wholeImages = generate("whole", whole, wholeLora);
        Path resumedImages = generate("resumed", parts, resumedLora);
        List<Path> images = pngs(wholeImages);
        assertEquals(2, images.size(), "one image per prompt: " + images);
        assertEquals(images.stream().map(Path::getFileName).toList(), pngs(resumedImages).stream().map(Path::getFileName).toList());
        for (Path image : images) {
            assertEquals(-1, Files.mismatch(image, resumedImages.resolve(image.getFileName())), image.getFileName()
                    + " generated with the resumed LoRA differs from the uninterrupted one's");
        }
    }

    private Child train(String name, Path lane, boolean resume) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--model", Fixtures.tinySd21().toString(), "--model-id", "tiny-sd21",
                "--style", style.toString(), "--style-id", "00", "--recipe-file", recipe.toString(),
                "--out", lane.resolve("out").toString(), "--class-images", lane.resolve("class-images").toString()));
        if (resume) args.add("--resume");
        return children.startFromClassPath(name, lane, Map.of(), args.toArray(String[]::new));
    }

    private Path generate(String name, Path lane, Path lora) throws Exception {
        Path out = lane.resolve("images");
        Child child = children.startFromClassPath("generate-" + name, lane, Map.of(), "generate", "--model",
                Fixtures.tinySd21().toString(), "--prompts", prompts.toString(), "--out", out.toString(), "--style-id", "00",
                "--steps", "4", "--seed", "7", "--lora", lora.toString(), "--init-average", style.toString(), "--strength", "0.9");
        assertEquals(0, child.await(300), child.tail());
        return out;
    }

    /** Waits until the child reports training step {@code step} or later; returns the step it reported. */
    private static int awaitStep(Child child, int step) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline) {
            int last = lastStep(child);
            if (last >= step) return last;
            if (!child.isAlive()) throw new AssertionError("the training ended before step " + step + ":\n" + child.tail());
            Thread.sleep(5);
        }
        throw new AssertionError("the training did not reach step " + step + " within 300 s:\n" + child.tail());
    }

    private static int lastStep(Child child) throws IOException {
        Matcher m = STEP_LINE.matcher(child.output());
        int last = 0;
        while (m.find()) last = Integer.parseInt(m.group(1));
        return last;
    }

    private static long latestCheckpoint(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(TrainingCheckpoints.STATE)))
                    .mapToLong(d -> TrainingCheckpoints.stepOf(d.getFileName().toString())).max().orElse(-1);
        }
    }

    private static List<Path> pngs(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
    }
}

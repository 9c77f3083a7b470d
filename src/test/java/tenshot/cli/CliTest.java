package tenshot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.scoring.ScoringMode;

class CliTest {

    private static final List<String> COMMANDS = List.of("generate", "bench", "score", "train", "selftest");

    @TempDir
    Path caller;

    /** Exit code, stdout and stderr of one command line run with {@link #caller} as the working directory. */
    private record Outcome(int code, String out, String err) {}

    private Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine(caller);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @SuppressWarnings("unchecked")
    private <T> T parsed(Class<T> type, String... args) {
        ParseResult result = Cli.commandLine(caller).parseArgs(args);
        return (T) result.subcommand().commandSpec().userObject();
    }

    @Test
    void everyCommandAnswersHelp() {
        for (String command : COMMANDS) {
            for (String flag : List.of("--help", "-h")) {
                Outcome o = run(command, flag);
                assertEquals(0, o.code(), command + " " + flag + ": " + o.err());
                assertTrue(o.out().startsWith("Usage: tenshot " + command), command + ": " + o.out());
                assertTrue(o.out().contains("--help"), command + " lists --help");
            }
        }
        Outcome top = run("--help");
        assertEquals(0, top.code());
        for (String command : COMMANDS) assertTrue(top.out().contains(command), "top-level help lists " + command);
        Outcome helpVerb = run("help", "score");
        assertEquals(0, helpVerb.code());
        assertTrue(helpVerb.out().contains("--submission"));
        for (String command : COMMANDS) assertTrue(Cli.isCommand(command));
        assertTrue(Cli.isCommand("--help"));
        assertFalse(Cli.isCommand("-Dquarkus.http.port=0"));
    }

    @Test
    void anUnknownOptionIsTheSameOneLineErrorForEveryCommand() {
        Map<String, List<String>> required = Map.of("generate", List.of("--model", "m", "--prompts", "p", "--out", "o"),
                "score", List.of("--dataset", "d", "--submission", "s"),
                "train", List.of("--model", "m", "--style", "s", "--style-id", "00"));
        for (String command : COMMANDS) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(required.getOrDefault(command, List.of()));
            args.add("--no-such-option");
            Outcome o = run(args.toArray(String[]::new));
            assertEquals(2, o.code(), command);
            assertTrue(o.err().startsWith("tenshot " + command + ": Unknown option: '--no-such-option'"), o.err());
            assertTrue(o.err().contains("Try 'tenshot " + command + " --help' for more information."), o.err());
            assertFalse(o.err().contains("Exception"), o.err());
        }
    }

    @Test
    void missingRequiredOptionsAndBadValuesNameTheOption() {
        Outcome missing = run("score");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required options: '--dataset=DIR', '--submission=DIR|ZIP'"), missing.err());

        Outcome device = run("score", "--dataset", "d", "--submission", "s", "--device", "tpu");
        assertEquals(2, device.code());
        assertTrue(device.err().contains("Invalid value for option '--device': unknown device 'tpu'"), device.err());

        Outcome number = run("generate", "--model", "m", "--prompts", "p.json", "--out", "o", "--steps", "many");
        assertEquals(2, number.code());
        assertTrue(number.err().contains("Invalid value for option '--steps': 'many' is not an int"), number.err());

        Outcome sizes = run("bench", "--sizes", "512,-8");
        assertEquals(2, sizes.code());
        assertEquals("tenshot bench: --sizes must be a comma-separated list of positive integers, got [512, -8]\n", sizes.err());
    }

    @Test
    void relativePathsResolveAgainstTheCallersFolder() {
        ScoreCommand score = parsed(ScoreCommand.class, "score", "--dataset", "data/B", "--submission", "/abs/sub.zip",
                "--json", "../card.json", "--mode", "corrected", "--styles", "00,03");
        assertEquals(caller.resolve("data/B"), score.dataset);
        assertEquals(Path.of("/abs/sub.zip"), score.submission);
        assertEquals(caller.getParent().resolve("card.json"), score.json);
        assertEquals(ScoringMode.CORRECTED, score.mode);
        assertEquals(List.of("00", "03"), score.styles);

        TrainCommand train = parsed(TrainCommand.class, "train", "--model", "m", "--style", "s", "--style-id", "00");
        assertEquals(caller.resolve("train-out"), train.out, "the default output folder is the caller's too");
    }

    @Test
    void aMissingInputFileIsOneLineWithItsResolvedPathAndNoStackTrace() {
        Outcome o = run("score", "--dataset", "data/B", "--submission", "sub");
        assertEquals(1, o.code());
        assertEquals("tenshot score: reference dataset folder not found: " + caller.resolve("data/B") + "\n", o.err());

        Outcome prompts = run("generate", "--model", "m", "--prompts", "none.json", "--out", "o");
        assertEquals(2, prompts.code());
        assertTrue(prompts.err().startsWith("tenshot generate: cannot read prompt file " + caller.resolve("none.json")), prompts.err());
        assertFalse(prompts.err().contains("\tat "), prompts.err());
    }

    @Test
    void benchKeepsEveryOptionTheGpuBenchmarksUse() {
        BenchCommand bench = parsed(BenchCommand.class, "bench", "--device", "cuda:1", "--config", "cfg", "--tokenizer", "tok",
                "--sizes", "512,768", "--batches", "2,16", "--warmup", "3", "--repeats", "10", "--steps", "20",
                "--txt2img-size", "768", "--txt2img-batch", "4", "--scheduler", "dpmpp2m", "--threads", "8",
                "--train-sizes", "512", "--train-rank", "16", "--train-repeats", "5", "--train-styles", "1,15",
                "--board-styles", "15", "--board-batch", "64", "--board-size", "768",
                "--skip-unet", "--skip-txt2img", "--skip-training");
        assertEquals(EngineDevice.parse("cuda:1"), bench.device);
        assertEquals(caller.resolve("cfg"), bench.config);
        assertEquals(caller.resolve("tok"), bench.tokenizer);
        assertEquals(List.of(512, 768), bench.sizes);
        assertEquals(List.of(2, 16), bench.batches);
        assertEquals(List.of(3, 10, 20, 768, 4), List.of(bench.warmup, bench.repeats, bench.steps, bench.txt2imgSize, bench.txt2imgBatch));
        assertEquals(Scheduler.Kind.DPMPP_2M, bench.scheduler);
        assertEquals(8, bench.threads);
        assertEquals(List.of(512), bench.trainSizes);
        assertEquals(List.of(16, 5), List.of(bench.trainRank, bench.trainRepeats));
        assertEquals(List.of(1, 15), bench.trainStyles);
        assertEquals(List.of(15, 64, 768), List.of(bench.boardStyles, bench.boardBatch, bench.boardSize));
        assertTrue(bench.skipUnet && bench.skipTxt2img && bench.skipTraining);

        BenchCommand defaults = parsed(BenchCommand.class, "bench");
        assertNull(defaults.sizes);
        assertNull(defaults.boardStyles, "the board row is off unless --board-styles is given");
        assertEquals(List.of(1, 3, 40, 512, 1, 32, 2), List.of(defaults.warmup, defaults.repeats, defaults.steps, defaults.txt2imgSize,
                defaults.txt2imgBatch, defaults.trainRank, defaults.trainRepeats));
    }

    @Test
    void trainAndGenerateAcceptTheirOptionsInBothForms() {
        TrainCommand train = parsed(TrainCommand.class, "train", "--model=m", "--model-id", "sd21", "--style", "s", "--style-id", "07",
                "--recipe", "quality", "--recipe-file", "r.json", "--out", "o", "--device", "cuda", "--seed", "9", "--resolution", "256",
                "--checkpoint-every", "2", "--preview-every", "3", "--preview-steps", "4", "--class-images", "ci",
                "--class-images-per-prompt", "5", "--class-image-steps", "6", "--lr", "1e-4", "--steps", "12", "--resume");
        assertEquals(caller.resolve("m"), train.model);
        assertEquals("sd21", train.modelId);
        assertEquals("07", train.styleId);
        assertEquals(caller.resolve("r.json"), train.recipeFile);
        assertEquals(caller.resolve("ci"), train.classImages);
        assertEquals(List.of(12, 256, 2, 3, 4, 5, 6), List.of(train.steps, train.resolution, train.checkpointEvery, train.previewEvery,
                train.previewSteps, train.classImagesPerPrompt, train.classImageSteps));
        assertEquals(9L, train.seed);
        assertEquals(1e-4, train.learningRate);
        assertTrue(train.resume);

        GenerateCommand generate = parsed(GenerateCommand.class, "generate", "--model", "m", "--prompts", "p.json", "--out", "o",
                "--size", "768x512", "--lora", "l.safetensors", "--lora-scale", "0.5", "--init-average", "style",
                "--strength", "0.6", "--batch", "2", "--seed", "5", "--cfg", "5.5", "--negative", "blurry", "--template", "{object}");
        assertEquals(caller.resolve("l.safetensors"), generate.lora);
        assertEquals(caller.resolve("style"), generate.initAverage);
        assertEquals("768x512", generate.size);
        assertEquals(List.of(0.5, 0.6, 5.5), List.of(generate.loraScale, generate.strength, generate.cfg));
        assertEquals(List.of(2, 40), List.of(generate.batch, generate.steps));
    }
}

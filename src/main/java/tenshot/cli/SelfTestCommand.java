package tenshot.cli;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.GoldenParity;

/**
 * {@code selftest}: the golden parity checks ({@code fixtures/golden}) on a device, one line per check
 * with its error and its stated tolerance; exit code 1 when any check fails.
 */
final class SelfTestCommand implements Cli.Command {

    static final String USAGE = """
            usage: selftest [options]
              --device cpu|cuda|cuda:N   where to run (cpu; fp32 on the CPU, fp16 on CUDA)
              --fixtures DIR             folder with tiny-sd21/ and golden/ (../shared/fixtures)""";

    @Override
    public String summary() {
        return "run the golden parity checks (text encoder, UNet, LoRA, VAE, one training step) on a device";
    }

    @Override
    public int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        CommandOptions options = CommandOptions.parse(args, Set.of("device", "fixtures"), Set.of());
        EngineDevice device = EngineDevice.parse(options.string("device", "cpu"));
        Path fixtures = Path.of(options.string("fixtures", Path.of("..", "shared", "fixtures").toString()));
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("selftest on %s (%s %s)%n", device, engine.getEngineName(), engine.getVersion());
        List<GoldenParity.Check> checks = new GoldenParity(fixtures, device).all();
        int failed = 0;
        System.out.println("| check | error | tolerance | result |");
        System.out.println("| --- | --- | --- | --- |");
        for (GoldenParity.Check c : checks) {
            if (!c.passed()) failed++;
            System.out.printf(Locale.ROOT, "| %s | %.3g (%s) | %.3g | %s |%n", c.name(), c.error(), c.measure(), c.tolerance(),
                    c.passed() ? "pass" : "FAIL");
        }
        System.out.printf("%d passed, %d failed%n", checks.size() - failed, failed);
        return failed == 0 ? 0 : 1;
    }
}

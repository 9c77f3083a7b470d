package tenshot.cli;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.GoldenParity;

/**
 * {@code selftest}: the golden parity checks ({@code fixtures/golden}) on a device, one line per check
 * with its error and its stated tolerance; exit code 1 when any check fails.
 */
@Command(name = "selftest", sortOptions = false,
        description = "run the golden parity checks (text encoder, UNet, LoRA, VAE, one training step) on a device")
final class SelfTestCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu",
            description = "where to run (${DEFAULT-VALUE}; fp32 on the CPU, fp16 on CUDA)")
    EngineDevice device;

    @Option(names = "--fixtures", paramLabel = "DIR", description = "folder with tiny-sd21/ and golden/ (the checkout's ../shared/fixtures)")
    Path fixtures;

    @Override
    public Integer call() {
        Path fixtures = this.fixtures != null ? this.fixtures : Path.of("..", "shared", "fixtures");
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

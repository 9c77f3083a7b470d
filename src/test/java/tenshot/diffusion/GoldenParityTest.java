package tenshot.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.testing.Fixtures;

/** The selftest's UNet checks pass on the CPU in fp32, DoRA's included. */
class GoldenParityTest {

    @Test
    void unetChecksPassOnTheCpu() {
        List<GoldenParity.Check> checks = new GoldenParity(Fixtures.tinySd21().getParent(), EngineDevice.cpu()).unet();
        assertEquals(List.of("UNet output", "UNet output with LoRA", "UNet output with DoRA"),
                checks.stream().map(GoldenParity.Check::name).toList());
        for (GoldenParity.Check c : checks) assertTrue(c.passed(), c.name() + ": " + c.error() + " > " + c.tolerance());
    }
}

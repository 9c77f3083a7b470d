package tenshot.scoring.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LpipsKeysTest {

    @Test
    void torchvisionSqueezenetKeysMapOntoTheLpipsSlices() {
        assertEquals("net.slices.0.0.weight", LpipsSqueeze.lpipsKey("features.0.weight"));
        assertEquals("net.slices.1.3.squeeze.weight", LpipsSqueeze.lpipsKey("features.3.squeeze.weight"));
        assertEquals("net.slices.2.7.expand3x3.bias", LpipsSqueeze.lpipsKey("features.7.expand3x3.bias"));
        assertEquals("net.slices.3.9.expand1x1.weight", LpipsSqueeze.lpipsKey("features.9.expand1x1.weight"));
        assertEquals("net.slices.4.10.squeeze.bias", LpipsSqueeze.lpipsKey("features.10.squeeze.bias"));
        assertEquals("net.slices.6.12.squeeze.bias", LpipsSqueeze.lpipsKey("features.12.squeeze.bias"));
        assertEquals("lin3.model.1.weight", LpipsSqueeze.lpipsKey("lin3.model.1.weight"));
        assertNull(LpipsSqueeze.lpipsKey("classifier.1.weight"));
        assertNull(LpipsSqueeze.lpipsKey("lins.3.model.1.weight"));
    }
}

package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tenshot.queue.Needs;
import tenshot.studio.BaseModels;

class JobKindsTest {

    @Test
    void engineJobsOfAFullSizeModelNeedAGpuAndTheRestRunAnywhere() {
        for (String kind : new String[] {JobKinds.PRIOR, JobKinds.TRAIN, JobKinds.GENERATE}) {
            assertEquals(Needs.GPU, JobKinds.needs(kind, "sd21"), kind);
            assertEquals(Needs.ANY, JobKinds.needs(kind, BaseModels.DEMO), kind + " of the demo model");
        }
        for (String kind : new String[] {JobKinds.ASSEMBLE, JobKinds.SCORE}) assertEquals(Needs.ANY, JobKinds.needs(kind, "sd21"), kind);
    }
}

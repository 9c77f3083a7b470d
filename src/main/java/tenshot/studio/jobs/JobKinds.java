package tenshot.studio.jobs;

import tenshot.queue.Needs;
import tenshot.studio.BaseModels;

/** The job kinds a run becomes, in the order they run. */
public final class JobKinds {

    /** Class images for prior preservation, shared between runs with identical settings. */
    public static final String PRIOR = "PRIOR";
    public static final String TRAIN = "TRAIN";
    public static final String GENERATE = "GENERATE";
    /** Grid image, submission zip and config of one run. */
    public static final String ASSEMBLE = "ASSEMBLE";
    public static final String SCORE = "SCORE";

    private JobKinds() {}

    /**
     * What a job of {@code kind} of a run on {@code baseModel} needs: PRIOR, TRAIN and GENERATE need a GPU
     * for a full-size model (the demo model's tiny engine runs anywhere); ASSEMBLE and SCORE run anywhere.
     */
    public static Needs needs(String kind, String baseModel) {
        boolean engine = kind.equals(PRIOR) || kind.equals(TRAIN) || kind.equals(GENERATE);
        return engine && !BaseModels.DEMO.equals(baseModel) ? Needs.GPU : Needs.ANY;
    }
}

package tenshot.studio.jobs;

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
}

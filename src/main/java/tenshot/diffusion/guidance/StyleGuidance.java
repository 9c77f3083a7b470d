package tenshot.diffusion.guidance;

/**
 * Style-descriptor guidance's settings: at each of the last {@code lastSteps} sampling steps the latent
 * takes one step of length {@code stepSize} (root mean square over the image's latent) against the
 * gradient of {@code ‖Ψ(style images) − Ψ(decode(x̂0))‖²}.
 *
 * @param lastSteps how many of the final sampling steps are guided (all of them when it exceeds the steps)
 * @param stepSize the RMS change of one image's latent per guided step
 */
public record StyleGuidance(int lastSteps, double stepSize) {

    public StyleGuidance {
        if (lastSteps < 1) throw field("lastSteps", "must be >= 1, was " + lastSteps);
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) throw field("stepSize", "must be a finite number > 0, was " + stepSize);
    }

    /** The last 5 steps, 0.05 per step (latents are about unit scale). */
    public static StyleGuidance defaults() {
        return new StyleGuidance(5, 0.05);
    }

    /** Whether step {@code index} of a run of {@code size} steps is guided. */
    public boolean guides(int index, int size) {
        return index >= size - lastSteps;
    }

    private static IllegalArgumentException field(String field, String problem) {
        return new IllegalArgumentException("styleGuidance field '" + field + "' " + problem);
    }
}

package tenshot.diffusion;

import java.awt.image.BufferedImage;

/**
 * What the engine says after one step.
 *
 * @param phase what is running, e.g. {@code "class-images"}, {@code "training"}, {@code "generating"}
 * @param step steps done in this phase, 1-based
 * @param total steps this phase will take
 * @param loss the training loss of this step, or {@code NaN} outside training
 * @param learningRate the learning rate of this step, or {@code NaN} outside training
 * @param secondsPerStep a smoothed duration of recent steps
 * @param preview an image to show live, or {@code null} when this step made none
 */
public record StepReport(
        String phase, int step, int total, double loss, double learningRate, double secondsPerStep,
        BufferedImage preview) {

    public static StepReport of(String phase, int step, int total, double secondsPerStep) {
        return new StepReport(phase, step, total, Double.NaN, Double.NaN, secondsPerStep, null);
    }

    public double etaSeconds() {
        return secondsPerStep * Math.max(0, total - step);
    }
}

package tenshot.diffusion;

/**
 * Receives one report per engine step (denoising, training, class-image generation). It is also
 * the cancellation point: a listener cancels the work by throwing {@link Cancelled} from
 * {@link #onStep}, and the engine lets that exception through after releasing what it holds.
 */
@FunctionalInterface
public interface StepListener {

    StepListener NONE = report -> {};

    void onStep(StepReport report);

    /** Thrown by a listener to stop the engine work at the current step. */
    final class Cancelled extends RuntimeException {
        public Cancelled(String reason) {
            super(reason);
        }
    }
}

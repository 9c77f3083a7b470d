package tenshot.diffusion.train;

/**
 * A constant learning rate with an optional linear warmup, as diffusers' {@code constant_with_warmup}
 * scheduler computes it: optimizer step {@code k} (0-based) trains at {@code lr * min(1, k / warmup)}.
 * With no warmup every step trains at {@code lr}.
 */
public record LearningRateSchedule(int warmupSteps) {

    public LearningRateSchedule {
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup steps must be >= 0: " + warmupSteps);
    }

    public static LearningRateSchedule constant() {
        return new LearningRateSchedule(0);
    }

    /** The factor applied to every group's base learning rate at optimizer step {@code step} (0-based). */
    public double factor(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0: " + step);
        if (warmupSteps == 0 || step >= warmupSteps) return 1.0;
        return (double) step / warmupSteps;
    }
}

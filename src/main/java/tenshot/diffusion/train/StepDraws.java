package tenshot.diffusion.train;

/**
 * The random choices of each training step (which instance view and class image, the timesteps, the
 * seeds of the noise and of the latent sample) as a pure function of the run seed and the step
 * number. A counter-based generator has no hidden state: resuming at step {@code k} draws exactly
 * what the uninterrupted run drew, and the checkpoint only has to record the seed and the step.
 */
public final class StepDraws {

    /** What step {@code step} trains on; arrays hold one value per batch row (instance, then class). */
    public record Draw(long step, int instanceView, int classImage, long[] timesteps, long[] noiseSeeds, long[] latentSeeds) {}

    private static final long ORDER = 0x4f52444552L;
    private static final long TIMESTEP = 0x54494d45L;
    private static final long NOISE = 0x4e4f495345L;
    private static final long LATENT = 0x4c4154454e54L;

    private final long seed;
    private final int instanceViews;
    private final int viewsPerImage;
    private final int classImages;
    private final int numTrainTimesteps;

    /**
     * @param instanceViews images × views per image
     * @param classImages class images (0 without prior preservation)
     */
    public StepDraws(long seed, int instanceViews, int viewsPerImage, int classImages, int numTrainTimesteps) {
        if (instanceViews < 1) throw new IllegalArgumentException("training needs at least one instance image");
        if (viewsPerImage < 1 || instanceViews % viewsPerImage != 0) {
            throw new IllegalArgumentException(instanceViews + " instance views is not a multiple of " + viewsPerImage + " views per image");
        }
        if (classImages < 0) throw new IllegalArgumentException("class image count must be >= 0");
        if (numTrainTimesteps < 1) throw new IllegalArgumentException("num_train_timesteps must be >= 1");
        this.seed = seed;
        this.instanceViews = instanceViews;
        this.viewsPerImage = viewsPerImage;
        this.classImages = classImages;
        this.numTrainTimesteps = numTrainTimesteps;
    }

    public Draw draw(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0: " + step);
        int images = instanceViews / viewsPerImage;
        // every image once per epoch in a seeded order; each visit picks one of its views
        long epoch = step / images;
        int image = permutation(mix(seed, ORDER, epoch), images)[(int) (step % images)];
        int view = (int) Math.floorMod(mix(seed, ORDER + 1, step), (long) viewsPerImage);
        int classImage = -1;
        if (classImages > 0) {
            long classEpoch = step / classImages;
            classImage = permutation(mix(seed, ORDER + 2, classEpoch), classImages)[(int) (step % classImages)];
        }
        int rows = classImages > 0 ? 2 : 1;
        long[] timesteps = new long[rows];
        long[] noiseSeeds = new long[rows];
        long[] latentSeeds = new long[rows];
        for (int row = 0; row < rows; row++) {
            timesteps[row] = Math.floorMod(mix(seed, TIMESTEP + row, step), (long) numTrainTimesteps);
            noiseSeeds[row] = mix(seed, NOISE + row, step);
            latentSeeds[row] = mix(seed, LATENT + row, step);
        }
        return new Draw(step, image * viewsPerImage + view, classImage, timesteps, noiseSeeds, latentSeeds);
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    static int[] permutation(long key, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        java.util.SplittableRandom random = new java.util.SplittableRandom(key);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** SplitMix64's finaliser over (seed, stream, counter): well-mixed, independent streams. */
    static long mix(long seed, long stream, long counter) {
        long z = seed * 0x9E3779B97F4A7C15L + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L + counter;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Locale;

/**
 * One sampling run of a diffusers scheduler: its inference timesteps, precomputed per-step
 * coefficients on the device, and the multistep history. Steps are addressed by their index in
 * {@link #timesteps()} and must be taken in order from the start index. Create a fresh instance per
 * generation (cheap: host arithmetic and one small upload) and close it afterwards.
 *
 * <p>Latents stay fp32 through the scheduler even when the UNet runs in fp16, as diffusers upcasts.
 */
public abstract class Scheduler implements AutoCloseable {

    /** The samplers the engine offers, by the names the CLI and the studio use. */
    public enum Kind {
        DDIM("ddim"),
        DPMPP_2M("dpmpp2m"),
        DPMPP_2M_KARRAS("dpmpp2m_karras"),
        EULER("euler"),
        PNDM("pndm");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Kind parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace("+", "p");
            for (Kind kind : values()) {
                if (kind.id.equals(n) || kind.name().equalsIgnoreCase(n)) return kind;
            }
            switch (n) {
                case "dpmsolver", "dpm", "dpmpp_2m", "dpm_solver" -> {
                    return DPMPP_2M;
                }
                case "dpmpp_2m_karras", "karras" -> {
                    return DPMPP_2M_KARRAS;
                }
                case "plms" -> {
                    return PNDM;
                }
                default -> throw new IllegalArgumentException("unknown scheduler '" + name
                        + "': use ddim, dpmpp2m, dpmpp2m_karras, euler or pndm");
            }
        }
    }

    protected final NoiseSchedule schedule;
    protected final NDManager manager;
    private final double[] timesteps;
    private final int requestedSteps;
    private int nextIndex = -1;

    protected Scheduler(NoiseSchedule schedule, double[] timesteps, int requestedSteps, NDManager parent) {
        this.schedule = schedule;
        this.timesteps = timesteps;
        this.requestedSteps = requestedSteps;
        this.manager = parent.newSubManager();
    }

    /** A fresh run of {@code kind} for {@code steps} inference steps, its constants on {@code manager}'s device. */
    public static Scheduler create(Kind kind, NoiseSchedule schedule, int steps, NDManager manager) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (steps > schedule.numTrainTimesteps()) {
            throw new IllegalArgumentException(steps + " steps exceed num_train_timesteps " + schedule.numTrainTimesteps());
        }
        return switch (kind) {
            case DDIM -> new DdimScheduler(schedule, steps, manager);
            case DPMPP_2M -> new DpmSolverMultistepScheduler(schedule, steps, false, manager);
            case DPMPP_2M_KARRAS -> new DpmSolverMultistepScheduler(schedule, steps, true, manager);
            case EULER -> new EulerDiscreteScheduler(schedule, steps, manager);
            case PNDM -> new PndmScheduler(schedule, steps, manager);
        };
    }

    /** The timesteps the UNet sees, in sampling order (PNDM repeats one). */
    public double[] timesteps() {
        return timesteps.clone();
    }

    public double timestep(int index) {
        return timesteps[index];
    }

    public int size() {
        return timesteps.length;
    }

    /** The factor diffusers multiplies fresh txt2img noise by. */
    public double initNoiseSigma() {
        return 1.0;
    }

    /**
     * The first step index of an img2img (SDEdit) run at {@code strength}: diffusers' {@code get_timesteps}
     * keeps the last {@code int(steps * strength)} steps.
     */
    public int startIndex(double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
        }
        int initTimestep = Math.min((int) (requestedSteps * strength), requestedSteps);
        int start = Math.max(requestedSteps - initTimestep, 0);
        if (start >= timesteps.length) {
            throw new IllegalArgumentException("strength " + strength + " with " + requestedSteps + " steps leaves no step to run");
        }
        return start;
    }

    /** The UNet input at step {@code index}; the same tensor for samplers that do not scale. */
    public NDArray scaleModelInput(NDArray sample, int index) {
        return sample;
    }

    /** Noises clean latents to the level of step {@code index} (the img2img start). */
    public abstract NDArray addNoise(NDArray original, NDArray noise, int index);

    /**
     * One denoising step: the sample of the next timestep from the model output at step {@code index}.
     * The result is a new array on the sample's manager; the inputs are left to the caller.
     */
    public final NDArray step(NDArray modelOutput, int index, NDArray sample) {
        if (index < 0 || index >= timesteps.length) {
            throw new IllegalArgumentException("step index " + index + " is outside 0.." + (timesteps.length - 1));
        }
        if (nextIndex >= 0 && index != nextIndex) {
            throw new IllegalStateException("steps must run in order: expected index " + nextIndex + ", got " + index);
        }
        NDArray out = doStep(modelOutput, index, sample);
        nextIndex = index + 1;
        return out;
    }

    protected abstract NDArray doStep(NDArray modelOutput, int index, NDArray sample);

    /** Keeps an array for later steps: out of any open NDScope and owned by this run. */
    protected NDArray keep(NDArray array) {
        NDScope.unregister(array);
        array.attach(manager);
        return array;
    }

    /** The number of inference steps this run was created for. */
    public int requestedSteps() {
        return requestedSteps;
    }

    /** Runs of the first order count how many steps were taken (DPM history, PNDM counter). */
    protected boolean firstCall() {
        return nextIndex < 0;
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---- timestep layouts shared by the samplers (numpy's round is half-to-even, as Math.rint) ----

    /** DDIM/Euler/PNDM-style spacing of {@code n} steps, descending. */
    static double[] spacedTimesteps(SchedulerConfig config, int n, boolean integer) {
        int train = config.numTrainTimesteps();
        double[] out = new double[n];
        switch (config.timestepSpacing()) {
            case LEADING -> {
                int ratio = train / n;
                for (int i = 0; i < n; i++) out[i] = (double) (n - 1 - i) * ratio + config.stepsOffset();
            }
            case TRAILING -> {
                double ratio = (double) train / n;
                for (int i = 0; i < n; i++) out[i] = Math.rint(train - i * ratio) - 1;
            }
            case LINSPACE -> {
                for (int i = 0; i < n; i++) {
                    double v = (train - 1) * (double) (n - 1 - i) / Math.max(n - 1, 1);
                    if (n == 1) v = 0;
                    out[i] = integer ? Math.rint(v) : (float) v;
                }
            }
        }
        return out;
    }
}

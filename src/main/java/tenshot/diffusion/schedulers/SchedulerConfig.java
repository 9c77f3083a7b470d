package tenshot.diffusion.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of a diffusers {@code scheduler_config.json} that shape the noise schedule and the
 * samplers. Fields a scheduler class does not know keep diffusers' defaults, so one config (usually
 * written for DDIM or PNDM) drives every sampler the way {@code from_config} would.
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        String betaSchedule,
        double betaStart,
        double betaEnd,
        double[] trainedBetas,
        PredictionType predictionType,
        int stepsOffset,
        boolean setAlphaToOne,
        TimestepSpacing timestepSpacing,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        boolean finalSigmaZero,
        String solverType) {

    /** SD 2.1's schedule (scaled_linear 0.00085..0.012, 1000 steps, leading spacing, offset 1). */
    public static SchedulerConfig stableDiffusion(PredictionType predictionType) {
        return new SchedulerConfig("DDIMScheduler", 1000, "scaled_linear", 0.00085, 0.012, null, predictionType, 1, false,
                TimestepSpacing.LEADING, true, false, true, "midpoint");
    }

    public static SchedulerConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": expected a JSON object");
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static SchedulerConfig parse(JsonNode root) {
        if (root.path("clip_sample").asBoolean(false)) {
            // SD checkpoints set clip_sample false; clipping x0 is a DDPM/pixel-space feature the engine leaves out.
            throw new IllegalArgumentException("clip_sample=true is not supported (Stable Diffusion uses false)");
        }
        if (root.path("thresholding").asBoolean(false)) {
            throw new IllegalArgumentException("thresholding=true is not supported");
        }
        if (root.path("rescale_betas_zero_snr").asBoolean(false)) {
            throw new IllegalArgumentException("rescale_betas_zero_snr=true is not supported");
        }
        String algorithm = root.path("algorithm_type").asText("dpmsolver++");
        if (!algorithm.equals("dpmsolver++")) {
            throw new IllegalArgumentException("algorithm_type '" + algorithm + "' is not supported: use dpmsolver++");
        }
        int solverOrder = root.path("solver_order").asInt(2);
        if (solverOrder != 2) throw new IllegalArgumentException("solver_order " + solverOrder + " is not supported: use 2");
        double[] trained = null;
        JsonNode trainedNode = root.get("trained_betas");
        if (trainedNode != null && trainedNode.isArray()) {
            trained = new double[trainedNode.size()];
            for (int i = 0; i < trained.length; i++) trained[i] = trainedNode.get(i).asDouble();
        }
        int numTrain = root.path("num_train_timesteps").asInt(1000);
        if (numTrain < 2) throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + numTrain);
        String finalSigmas = root.path("final_sigmas_type").asText("zero");
        if (!finalSigmas.equals("zero") && !finalSigmas.equals("sigma_min")) {
            throw new IllegalArgumentException("final_sigmas_type '" + finalSigmas + "' is not supported: use zero or sigma_min");
        }
        String solverType = root.path("solver_type").asText("midpoint");
        if (!solverType.equals("midpoint") && !solverType.equals("heun")) {
            throw new IllegalArgumentException("solver_type '" + solverType + "' is not supported: use midpoint or heun");
        }
        return new SchedulerConfig(
                root.path("_class_name").asText("DDIMScheduler"),
                numTrain,
                root.path("beta_schedule").asText("linear"),
                root.path("beta_start").asDouble(0.0001),
                root.path("beta_end").asDouble(0.02),
                trained,
                PredictionType.parse(root.path("prediction_type").asText("epsilon")),
                root.path("steps_offset").asInt(0),
                root.path("set_alpha_to_one").asBoolean(true),
                TimestepSpacing.parse(root.path("timestep_spacing").asText("leading")),
                root.path("lower_order_final").asBoolean(true),
                root.path("euler_at_final").asBoolean(false),
                finalSigmas.equals("zero"),
                solverType);
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(className, numTrainTimesteps, betaSchedule, betaStart, betaEnd, trainedBetas, type,
                stepsOffset, setAlphaToOne, timestepSpacing, lowerOrderFinal, eulerAtFinal, finalSigmaZero, solverType);
    }

    public SchedulerConfig withTimestepSpacing(TimestepSpacing spacing) {
        return new SchedulerConfig(className, numTrainTimesteps, betaSchedule, betaStart, betaEnd, trainedBetas,
                predictionType, stepsOffset, setAlphaToOne, spacing, lowerOrderFinal, eulerAtFinal, finalSigmaZero, solverType);
    }
}

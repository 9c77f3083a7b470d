package tenshot.diffusion.schedulers;

/** What the UNet predicts, as {@code prediction_type} names it in {@code scheduler_config.json}. */
public enum PredictionType {
    EPSILON("epsilon"),
    V_PREDICTION("v_prediction");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static PredictionType parse(String name) {
        for (PredictionType type : values()) {
            if (type.configName.equals(name)) return type;
        }
        throw new IllegalArgumentException("prediction_type '" + name + "' is not supported: use epsilon or v_prediction");
    }
}

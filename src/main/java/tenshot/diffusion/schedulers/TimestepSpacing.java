package tenshot.diffusion.schedulers;

/** How inference timesteps are spread over the training timesteps ({@code timestep_spacing}). */
public enum TimestepSpacing {
    LEADING,
    TRAILING,
    LINSPACE;

    public static TimestepSpacing parse(String name) {
        for (TimestepSpacing spacing : values()) {
            if (spacing.name().equalsIgnoreCase(name)) return spacing;
        }
        throw new IllegalArgumentException("timestep_spacing '" + name + "' is not supported: use leading, trailing or linspace");
    }
}

package tenshot.diffusion.lora;

import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Linear;

/**
 * Fresh adapters for one model component: which of its linear layers get one (module names ending in
 * a target, e.g. {@code to_q}, {@code to_out.0}, {@code q_proj}), with what rank and alpha, and whether
 * they are DoRA adapters (with a trainable magnitude per output row).
 *
 * @param component the key prefix in LoRA files: {@code unet} or {@code text_encoder}
 * @param linears the component's linear layers by module name ({@code UNet2DConditionModel.linears()},
 *     {@code ClipTextModel.linears()})
 */
public record LoraSpec(String component, Map<String, Linear> linears, List<String> targets, int rank, double alpha, boolean dora) {

    public static final List<String> UNET_ATTENTION = List.of("to_q", "to_k", "to_v", "to_out.0");
    public static final List<String> TEXT_ATTENTION = List.of("q_proj", "k_proj", "v_proj", "out_proj");

    /** Plain LoRA adapters. */
    public LoraSpec(String component, Map<String, Linear> linears, List<String> targets, int rank, double alpha) {
        this(component, linears, targets, rank, alpha, false);
    }

    public LoraSpec {
        if (rank <= 0) throw new IllegalArgumentException("LoRA rank for " + component + " must be positive, got " + rank);
        if (targets.isEmpty()) throw new IllegalArgumentException("LoRA for " + component + " needs at least one target");
    }

    static boolean matches(String module, String target) {
        return module.equals(target) || module.endsWith("." + target);
    }
}

package tenshot.diffusion.lora;

import java.util.List;
import java.util.Map;
import tenshot.diffusion.nn.Linear;

/**
 * The key spellings of LoRA files that diffusers reads, reduced to (component, module, role):
 * <ul>
 *   <li>diffusers (old): {@code unet.<module>.lora.down.weight}, {@code .lora.up.weight};
 *       text encoder {@code text_encoder.<module>.lora_linear_layer.down.weight};
 *   <li>attention-processor: {@code unet.<attn>.processor.to_q_lora.down.weight} (module {@code <attn>.to_q});
 *   <li>peft: {@code <module>.lora_A.weight} / {@code lora_B}, also with an adapter name
 *       ({@code lora_A.default.weight}) and a {@code base_model.model.} prefix;
 *   <li>{@code lora_down} / {@code lora_up}, and {@code <module>.alpha} scalars;
 *   <li>DoRA's magnitude: diffusers {@code <module>.lora_magnitude_vector}, peft
 *       {@code <module>.lora_magnitude_vector.default.weight};
 *   <li>kohya: {@code lora_unet_<module with dots as underscores>.lora_down.weight}, text encoder
 *       {@code lora_te_text_model_encoder_layers_0_self_attn_q_proj...}.
 * </ul>
 * Keys without a component prefix belong to the UNet.
 */
final class LoraKeys {

    record Parsed(String component, String module, String role) {}

    private static final List<String[]> SUFFIXES = List.of(
            new String[] {".lora.down.weight", "down"},
            new String[] {".lora.up.weight", "up"},
            new String[] {".lora_linear_layer.down.weight", "down"},
            new String[] {".lora_linear_layer.up.weight", "up"},
            new String[] {".lora_down.weight", "down"},
            new String[] {".lora_up.weight", "up"},
            new String[] {".lora_A.weight", "down"},
            new String[] {".lora_B.weight", "up"},
            new String[] {".alpha", "alpha"},
            new String[] {".lora_magnitude_vector", "magnitude"});

    private LoraKeys() {}

    /** The parts of {@code key}, or null when it is not a LoRA tensor key. */
    static Parsed parse(String key) {
        String k = key.startsWith("base_model.model.") ? key.substring("base_model.model.".length()) : key;
        String component = "unet";
        if (k.startsWith("lora_unet_")) {
            k = k.substring("lora_unet_".length());
        } else if (k.startsWith("lora_te_")) {
            component = "text_encoder";
            k = k.substring("lora_te_".length());
        } else if (k.startsWith("unet.")) {
            k = k.substring("unet.".length());
        } else if (k.startsWith("text_encoder.")) {
            component = "text_encoder";
            k = k.substring("text_encoder.".length());
        } else if (k.startsWith("text_model.")) {
            component = "text_encoder";
        }
        // peft with an adapter name: lora_A.<name>.weight
        k = k.replaceAll("\\.lora_([AB])\\.[^.]+\\.weight$", ".lora_$1.weight");
        // peft names DoRA's magnitude lora_magnitude_vector[.<name>].weight; diffusers drops the suffix.
        k = k.replaceAll("\\.lora_magnitude_vector(\\.[^.]+)?\\.weight$", ".lora_magnitude_vector");
        for (String[] suffix : SUFFIXES) {
            if (k.endsWith(suffix[0])) {
                String module = k.substring(0, k.length() - suffix[0].length());
                return module.isEmpty() ? null : new Parsed(component, processorModule(module), suffix[1]);
            }
        }
        return null;
    }

    /** {@code <attn>.processor.to_q_lora} → {@code <attn>.to_q}; {@code to_out_lora} → {@code to_out.0}. */
    private static String processorModule(String module) {
        int at = module.lastIndexOf(".processor.");
        if (at < 0) return module;
        String projection = module.substring(at + ".processor.".length());
        if (!projection.endsWith("_lora")) return module;
        projection = projection.substring(0, projection.length() - "_lora".length());
        if (projection.equals("to_out")) projection = "to_out.0";
        return module.substring(0, at) + "." + projection;
    }

    /** The module name in {@code linears} for a file's module name, or null when none matches. */
    static String resolveModule(String component, String module, Map<String, Linear> linears) {
        if (linears.containsKey(module)) return module;
        if (component.equals("text_encoder") && linears.containsKey("text_model." + module)) return "text_model." + module;
        // kohya spells the module path with underscores for dots.
        for (String name : linears.keySet()) {
            if (name.replace('.', '_').equals(module)) return name;
        }
        return null;
    }
}

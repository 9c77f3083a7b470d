package tenshot.diffusion.styleid;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * StyleID's settings ("Style Injection in Diffusion", CVPR 2024): in the self-attention ({@code attn1})
 * of the named UNet blocks, the denoising of the AdaIN-mixed latent attends with
 * {@code Q̃ = γ·Qᶜ + (1−γ)·Qᶜˢ} over the style's keys and values, scores scaled by {@code temperature}.
 *
 * @param gamma query preservation γ in [0, 1] (1 keeps the content's queries)
 * @param temperature attention temperature T > 0 (multiplies the scores)
 * @param startStep the fraction (0, 1] of the denoising steps, from the noisiest, that inject
 * @param layers UNet blocks whose {@code attn1} layers inject, e.g. {@code up_blocks.1}
 * @param styleImage which style image gives the keys and values: {@code each} (every style image in
 *     turn) or {@code nearest-average} (the one nearest the set's average image)
 */
public record StyleInjection(double gamma, double temperature, double startStep, List<String> layers, String styleImage) {

    public static final List<String> DEFAULT_LAYERS = List.of("up_blocks.1", "up_blocks.2", "up_blocks.3");
    public static final Set<String> STYLE_IMAGES = Set.of("each", "nearest-average");
    private static final Pattern BLOCK = Pattern.compile("(down_blocks\\.\\d+|mid_block|up_blocks\\.\\d+)(\\.[A-Za-z0-9_]+)*");

    public StyleInjection {
        if (!(gamma >= 0 && gamma <= 1)) throw field("gamma", "must be in [0, 1], was " + gamma);
        if (!(temperature > 0)) throw field("temperature", "must be > 0, was " + temperature);
        if (!(startStep > 0 && startStep <= 1)) throw field("startStep", "must be in (0, 1], was " + startStep);
        if (layers == null || layers.isEmpty()) throw field("layers", "must name at least one UNet block, e.g. up_blocks.1");
        for (String layer : layers) {
            if (layer == null || !BLOCK.matcher(layer).matches()) {
                throw field("layers", "must name UNet blocks such as up_blocks.1, mid_block or down_blocks.2.attentions.0, got '"
                        + layer + "'");
            }
        }
        layers = List.copyOf(layers);
        if (styleImage == null || !STYLE_IMAGES.contains(styleImage)) {
            throw field("styleImage", "must be one of " + STYLE_IMAGES + ", was " + styleImage);
        }
    }

    /** StyleID's published defaults: γ 0.75, T 1.5, every step, {@code up_blocks.1-3}, each style image. */
    public static StyleInjection defaults() {
        return new StyleInjection(0.75, 1.5, 1.0, DEFAULT_LAYERS, "each");
    }

    /** How many of {@code steps} denoising steps inject: the first {@code ceil(startStep · steps)}. */
    public int injectedSteps(int steps) {
        return (int) Math.min(steps, Math.ceil(startStep * steps - 1e-9));
    }

    private static IllegalArgumentException field(String field, String problem) {
        return new IllegalArgumentException("styleInjection field '" + field + "' " + problem);
    }
}

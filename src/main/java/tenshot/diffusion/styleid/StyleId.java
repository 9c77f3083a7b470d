package tenshot.diffusion.styleid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.schedulers.DdimInverseScheduler;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.unet.CrossAttention;
import tenshot.diffusion.unet.UNet2DConditionModel;

/**
 * StyleID on latents: DDIM-invert the content latent (recording its self-attention queries) and the
 * style latent (recording keys and values) with an empty prompt, start from
 * {@code AdaIN(z_Tᶜ, z_Tˢ)} and denoise with DDIM over the same timesteps, the recorded queries, keys
 * and values injected into the {@code attn1} layers of {@link StyleInjection#layers()} at the first
 * {@link StyleInjection#injectedSteps} steps. No classifier-free guidance, as in StyleID.
 *
 * <p>The style's half does not depend on the content: {@link #invertStyle} inverts a style latent once into a
 * {@link StyleInversion}, and {@link #transfer(NDArray, StyleInversion)} stylises any number of contents with it.
 *
 * <p>Memory: only injected timesteps are recorded, in the store dtype (fp16 on CUDA); see
 * {@link StyleIdAttention#storedBytes()} and docs/engine.md for the bound at 512 px.
 */
public final class StyleId implements AutoCloseable {

    private final UNet2DConditionModel unet;
    private final NoiseSchedule schedule;
    private final NDArray emptyPrompt;
    private final StyleInjection settings;
    private final DataType storeType;
    private final NDManager manager;
    private final StyleIdAttention processor;
    private final List<String> layers;

    /**
     * @param emptyPrompt the text encoder's output for {@code ""} ({@code [1, 77, D]}, engine dtype)
     * @param storeType the dtype of the recorded Q/K/V (fp16 on CUDA)
     */
    public StyleId(UNet2DConditionModel unet, NoiseSchedule schedule, NDArray emptyPrompt, StyleInjection settings,
            DataType storeType, NDManager parent) {
        this.unet = unet;
        this.schedule = schedule;
        this.emptyPrompt = emptyPrompt;
        this.settings = settings;
        this.storeType = storeType;
        this.manager = parent.newSubManager();
        this.processor = new StyleIdAttention(manager, storeType, settings.gamma(), settings.temperature());
        this.layers = injectedLayers(unet.attentions(), settings.layers());
    }

    /** The {@code attn1} layers under the named blocks; a block that names none is an error. */
    static List<String> injectedLayers(Map<String, CrossAttention> attentions, List<String> blocks) {
        List<String> out = new ArrayList<>();
        for (String block : blocks) {
            int before = out.size();
            for (String name : attentions.keySet()) {
                if (name.startsWith(block + ".") && name.endsWith(".attn1")) out.add(name);
            }
            if (out.size() == before) {
                throw new IllegalArgumentException("styleInjection field 'layers': '" + block + "' holds no self-attention (attn1)"
                        + " layer of this UNet");
            }
        }
        return List.copyOf(out);
    }

    /** The stylised clean latent for content and style latents ({@code [1, 4, h, w]}, scaled as the UNet sees them). */
    public NDArray transfer(NDArray content, NDArray style, int steps) {
        try (StyleInversion inversion = invertStyle(style, steps)) {
            return transfer(content, inversion);
        }
    }

    /**
     * DDIM inversion of a style latent ({@code [1, 4, h, w]}) with {@code steps} steps, keeping its keys and
     * values at the injected timesteps and its {@code z_Tˢ}. The caller closes it once no content needs it.
     */
    public StyleInversion invertStyle(NDArray style, int steps) {
        StyleInversion inversion = new StyleInversion(manager, storeType);
        try (Attached ignored = attach()) {
            processor.use(inversion);
            inversion.finish(invert(style, steps, false, true), steps);
            return inversion;
        } catch (RuntimeException e) {
            inversion.close();
            throw e;
        } finally {
            processor.use(null);
        }
    }

    /**
     * The stylised clean latent of {@code content} with an inverted style: the content is inverted with as many
     * steps as the style was, recording its queries, and denoised from AdaIN of the two with injection.
     */
    public NDArray transfer(NDArray content, StyleInversion style) {
        if (!content.getShape().equals(style.shape())) {
            throw new IllegalArgumentException("the content latent " + content.getShape() + " and the inverted style "
                    + style.shape() + " differ in shape: invert the style at the content's size");
        }
        int steps = style.steps();
        try (Attached ignored = attach()) {
            processor.use(style);
            NDArray start;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray contentT = invert(content, steps, true, false);
                start = adain(contentT, style.latent());
                NDScope.unregister(start);
                contentT.close();
            }
            NDArray stylised = denoise(start, steps, Denoising.INJECT);
            if (stylised != start) start.close();
            return stylised;
        } finally {
            processor.use(null);
            processor.clear();
        }
    }

    /** DDIM inversion of {@code z0} to {@code z_T}, recording content queries and/or style keys and values. */
    NDArray invert(NDArray z0, int steps, boolean queries, boolean keysValues) {
        int injected = settings.injectedSteps(steps);
        try (DdimInverseScheduler inverse = new DdimInverseScheduler(schedule, steps, manager)) {
            NDArray z = z0;
            for (int j = 0; j < inverse.size(); j++) {
                long t = (long) inverse.timestep(j);
                // Inverse step j runs at the timestep of denoising step steps - 1 - j: record only what will be injected.
                if (steps - 1 - j < injected) processor.record(t, queries, keysValues);
                else processor.plain();
                final int index = j;
                z = advance(z, t, (prediction, sample) -> inverse.step(prediction, index, sample), z != z0);
            }
            return z;
        } finally {
            processor.plain();
        }
    }

    /** What the denoising does in the injected layers at the injected steps. */
    enum Denoising { PLAIN, RECORD, INJECT }

    /**
     * DDIM denoising from {@code zT}. At the injected steps the injected layers inject what was recorded
     * ({@code INJECT}), record their own queries, keys and values ({@code RECORD}), or neither.
     */
    NDArray denoise(NDArray zT, int steps, Denoising mode) {
        int injected = settings.injectedSteps(steps);
        try (Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, schedule, steps, manager)) {
            NDArray z = zT;
            for (int i = 0; i < ddim.size(); i++) {
                long t = (long) ddim.timestep(i);
                if (i >= injected || mode == Denoising.PLAIN) processor.plain();
                else if (mode == Denoising.INJECT) processor.inject(t);
                else processor.record(t, true, true);
                final int index = i;
                z = advance(z, t, (prediction, sample) -> ddim.step(prediction, index, sample), z != zT);
            }
            return z;
        } finally {
            processor.plain();
        }
    }

    /** The processor on the injected layers (its recorded bytes, for the memory bound). */
    public StyleIdAttention processor() {
        return processor;
    }

    private interface Step {
        NDArray apply(NDArray prediction, NDArray sample);
    }

    /** One UNet evaluation at {@code t} (empty prompt, fp32 latents) and one scheduler step, in its own scope. */
    private NDArray advance(NDArray z, long t, Step step, boolean closeInput) {
        NDArray next;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray timestep = manager.create(t).toDevice(z.getDevice(), false);
            NDArray prediction = unet.forward(z.toType(emptyPrompt.getDataType(), false), timestep, emptyPrompt)
                    .toType(DataType.FLOAT32, false);
            next = step.apply(prediction, z);
            NDScope.unregister(next);
        }
        if (closeInput) z.close();
        return next;
    }

    /**
     * AdaIN as StyleID computes it: per sample and channel over height and width,
     * {@code (c − μᶜ)/σᶜ · σˢ + μˢ} with {@code σ = sqrt(unbiased variance + 1e-5)}.
     */
    public static NDArray adain(NDArray content, NDArray style) {
        NDArray[] c = meanStd(content);
        NDArray[] s = meanStd(style);
        return content.sub(c[0]).div(c[1]).mul(s[1]).add(s[0]);
    }

    private static NDArray[] meanStd(NDArray x) {
        long n = x.getShape().get(0);
        long ch = x.getShape().get(1);
        long size = x.getShape().size() / (n * ch);
        if (size < 2) throw new IllegalArgumentException("AdaIN needs at least two positions per channel, got shape " + x.getShape());
        NDArray flat = x.reshape(n, ch, size);
        NDArray mean = flat.mean(new int[] {2}, true);
        NDArray var = flat.sub(mean).square().sum(new int[] {2}, true).div((float) (size - 1));
        NDArray std = var.add(1e-5f).sqrt();
        return new NDArray[] {mean.reshape(n, ch, 1, 1), std.reshape(n, ch, 1, 1)};
    }

    /** Puts the StyleID processor on the injected layers until closed. */
    Attached attach() {
        for (String name : layers) unet.setAttentionProcessor(name, processor);
        return new Attached();
    }

    final class Attached implements AutoCloseable {
        @Override
        public void close() {
            for (String name : layers) unet.setAttentionProcessor(name, tenshot.diffusion.unet.AttentionProcessor.DEFAULT);
        }
    }

    @Override
    public void close() {
        processor.close();
        manager.close();
    }
}

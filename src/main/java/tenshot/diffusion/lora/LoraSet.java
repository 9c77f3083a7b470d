package tenshot.diffusion.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import tenshot.diffusion.nn.Linear;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.diffusion.weights.Weights;

/**
 * A set of LoRA adapters attached to a model's linear layers: loaded from a LoRA file for generation,
 * or created fresh (and trainable) for training. Saving writes the file format diffusers'
 * {@code load_lora_weights} reads.
 *
 * <p>Adapters stay attached until {@link #detach()} or {@link #close()}.
 */
public final class LoraSet implements AutoCloseable {

    /** diffusers' safetensors metadata key holding the adapter configs (rank, alpha) as JSON. */
    public static final String ADAPTER_METADATA_KEY = "lora_adapter_metadata";

    /** One attached adapter: which component and module it adapts. */
    public record Attached(String component, String module, Linear linear, LoraAdapter adapter) {

        /** diffusers file key prefix of this module, e.g. {@code unet.down_blocks.0...attn1.to_q}. */
        public String fileKey() {
            return component + "." + module;
        }
    }

    /**
     * One trainable tensor under both its names.
     *
     * @param fileKey the key in a diffusers LoRA file ({@code unet.<module>.lora.down.weight})
     * @param diffusersName the same without the component prefix ({@code <module>.lora.down.weight})
     * @param peftName peft's parameter name inside the component ({@code <module>.lora_A.default.weight})
     */
    public record Parameter(String component, String fileKey, String diffusersName, String peftName, NDArray array) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Attached> attached;
    /** Original weights of the layers while the adapters are merged into them. */
    private final Map<Linear, NDArray> unfused = new java.util.IdentityHashMap<>();

    private LoraSet(List<Attached> attached) {
        this.attached = List.copyOf(attached);
    }

    /**
     * Creates fresh trainable fp32 adapters as peft initialises them: {@code down} (lora_A)
     * kaiming-uniform with {@code a = sqrt(5)}, i.e. uniform in {@code ±1/sqrt(in)}, from {@code seed};
     * {@code up} (lora_B) zeros; a DoRA spec's magnitude starts at the row norms of the layer's weight
     * (with {@code up} zero, that is {@code ‖W + scale·up·down‖}), so the adapted layer starts as the
     * base layer. They live in {@code manager}, require gradients and are attached.
     */
    public static LoraSet createTrainable(List<LoraSpec> specs, long seed, NDManager manager) {
        List<Attached> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        for (LoraSpec spec : specs) {
            int matched = 0;
            for (Map.Entry<String, Linear> e : spec.linears().entrySet()) {
                if (spec.targets().stream().noneMatch(t -> LoraSpec.matches(e.getKey(), t))) continue;
                Linear linear = e.getValue();
                int in = linear.inFeatures();
                float bound = (float) (1.0 / Math.sqrt(in));
                float[] a = new float[spec.rank() * in];
                for (int i = 0; i < a.length; i++) a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                NDArray down = trainable(onDevice(manager.create(a, new Shape(spec.rank(), in)), linear));
                NDArray up = trainable(onDevice(manager.zeros(new Shape(linear.outFeatures(), spec.rank())), linear));
                NDArray magnitude = spec.dora() ? trainable(initialMagnitude(down, up, spec.alpha(), linear)) : null;
                out.add(attach(spec.component(), e.getKey(), linear, new LoraAdapter(down, up, magnitude, spec.alpha(), 1.0)));
                matched++;
            }
            if (matched == 0) {
                throw new IllegalArgumentException("LoRA targets " + spec.targets() + " match no linear layer of the "
                        + spec.component());
            }
        }
        return new LoraSet(out);
    }

    /**
     * Loads a LoRA file for generation and attaches it with {@code scale}. The adapters are stored in
     * {@code dtype} (the engine dtype for inference).
     *
     * @param components the model's linear layers by component ({@code "unet"}, {@code "text_encoder"})
     */
    public static LoraSet load(Path file, Map<String, Map<String, Linear>> components, double scale,
            NDManager manager, DataType dtype) {
        return read(file, components, scale, manager, dtype, false);
    }

    /** Loads a LoRA file as fp32 trainable adapters (initial weights, or resuming a run) and attaches it. */
    public static LoraSet loadTrainable(Path file, Map<String, Map<String, Linear>> components, NDManager manager) {
        return read(file, components, 1.0, manager, DataType.FLOAT32, true);
    }

    private static LoraSet read(Path file, Map<String, Map<String, Linear>> components, double scale,
            NDManager manager, DataType dtype, boolean trainable) {
        SafetensorsFile lora = SafetensorsFile.open(file);
        Map<String, Map<String, String>> roles = new LinkedHashMap<>();
        for (String key : lora.keys()) {
            LoraKeys.Parsed parsed = LoraKeys.parse(key);
            if (parsed == null) {
                throw new IllegalArgumentException("LoRA file " + file + ": key '" + key + "' is not a LoRA weight"
                        + " (expected lora.down/lora.up, lora_A/lora_B, lora_linear_layer.down/up, lora_magnitude_vector or alpha)");
            }
            Map<String, Linear> linears = components.get(parsed.component());
            if (linears == null) {
                throw new IllegalArgumentException("LoRA file " + file + ": key '" + key + "' adapts the "
                        + parsed.component() + ", which this model does not offer for adapters " + components.keySet());
            }
            String module = LoraKeys.resolveModule(parsed.component(), parsed.module(), linears);
            if (module == null) {
                throw new IllegalArgumentException("LoRA file " + file + ": key '" + key + "' matches no module of the "
                        + parsed.component() + " (no linear layer named '" + parsed.module() + "')");
            }
            String id = parsed.component() + "." + module;
            String previous = roles.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(parsed.role(), key);
            if (previous != null) {
                throw new IllegalArgumentException("LoRA file " + file + ": keys '" + previous + "' and '" + key
                        + "' both give the " + parsed.role() + " of " + id);
            }
        }
        Map<String, Double> metadataAlpha = metadataAlphas(file, lora.metadata());
        List<Attached> out = new ArrayList<>();
        try {
            for (Map.Entry<String, Map<String, String>> e : roles.entrySet()) {
                String id = e.getKey();
                String component = id.substring(0, id.indexOf('.'));
                String module = id.substring(component.length() + 1);
                Linear linear = components.get(component).get(module);
                String downKey = e.getValue().get("down");
                String upKey = e.getValue().get("up");
                if (downKey == null || upKey == null) {
                    throw new IllegalArgumentException("LoRA file " + file + ": " + id + " has "
                            + (downKey == null ? "no down (lora_A) weight" : "no up (lora_B) weight"));
                }
                Shape downShape = lora.entry(downKey).shape();
                Shape upShape = lora.entry(upKey).shape();
                long rank = downShape.get(0);
                if (downShape.dimension() != 2 || downShape.get(1) != linear.inFeatures()) {
                    throw new IllegalArgumentException("LoRA file " + file + ": '" + downKey + "' has shape " + downShape
                            + " but " + module + " takes " + linear.inFeatures() + " inputs (expected [rank, "
                            + linear.inFeatures() + "])");
                }
                if (upShape.dimension() != 2 || upShape.get(0) != linear.outFeatures() || upShape.get(1) != rank) {
                    throw new IllegalArgumentException("LoRA file " + file + ": '" + upKey + "' has shape " + upShape
                            + " but expected [" + linear.outFeatures() + ", " + rank + "]");
                }
                double alpha = rank;
                String alphaKey = e.getValue().get("alpha");
                if (alphaKey != null) {
                    try (NDArray a = lora.load(alphaKey, manager, DataType.FLOAT32)) {
                        alpha = a.toFloatArray()[0];
                    }
                } else if (metadataAlpha.containsKey(component)) {
                    alpha = metadataAlpha.get(component);
                }
                String magnitudeKey = e.getValue().get("magnitude");
                if (magnitudeKey != null && !lora.entry(magnitudeKey).shape().equals(new Shape(linear.outFeatures()))) {
                    throw new IllegalArgumentException("LoRA file " + file + ": '" + magnitudeKey + "' has shape "
                            + lora.entry(magnitudeKey).shape() + " but expected [" + linear.outFeatures() + "]");
                }
                NDArray down = onDevice(lora.load(downKey, manager, dtype), linear);
                NDArray up = onDevice(lora.load(upKey, manager, dtype), linear);
                // The magnitude divides by a norm computed in fp32: keep it in fp32 whatever the engine dtype.
                NDArray magnitude = magnitudeKey == null ? null : onDevice(lora.load(magnitudeKey, manager, DataType.FLOAT32), linear);
                if (trainable) {
                    trainable(down);
                    trainable(up);
                    if (magnitude != null) trainable(magnitude);
                }
                out.add(attach(component, module, linear, new LoraAdapter(down, up, magnitude, alpha, scale)));
            }
        } catch (RuntimeException failure) {
            new LoraSet(out).close();
            throw failure;
        }
        return new LoraSet(out);
    }

    /** peft's DoRA initialisation: {@code ‖W + scale·up·down‖} per output row, fp32. */
    private static NDArray initialMagnitude(NDArray down, NDArray up, double alpha, Linear linear) {
        return Weights.persistent(LoraAdapter.weightNorm(linear.weight(), down, up, alpha / down.getShape().get(0)));
    }

    private static NDArray onDevice(NDArray array, Linear linear) {
        NDArray moved = array.toDevice(linear.weight().getDevice(), false);
        if (moved != array) array.close();
        return Weights.persistent(moved);
    }

    private static NDArray trainable(NDArray array) {
        Weights.persistent(array);
        array.setRequiresGradient(true);
        return array;
    }

    private static Attached attach(String component, String module, Linear linear, LoraAdapter adapter) {
        linear.addAdapter(adapter);
        return new Attached(component, module, linear, adapter);
    }

    /** Alphas per component from diffusers' {@code lora_adapter_metadata} ({@code "unet.lora_alpha"}). */
    private static Map<String, Double> metadataAlphas(Path file, Map<String, String> metadata) {
        Map<String, Double> out = new LinkedHashMap<>();
        String json = metadata.get(ADAPTER_METADATA_KEY);
        if (json == null) return out;
        try {
            JsonNode root = JSON.readTree(json);
            root.fields().forEachRemaining(f -> {
                if (f.getKey().endsWith(".lora_alpha") && f.getValue().isNumber()) {
                    out.put(f.getKey().substring(0, f.getKey().length() - ".lora_alpha".length()), f.getValue().asDouble());
                }
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("LoRA file " + file + ": metadata '" + ADAPTER_METADATA_KEY
                    + "' is not valid JSON: " + e.getMessage());
        }
        return out;
    }

    /**
     * The same layers with other adapters ({@code adapters.get(i)} in place of adapter {@code i}), not
     * attached to them: a style's slice of stacked adapters ({@link StyleAdapters}).
     */
    LoraSet withAdapters(List<LoraAdapter> adapters) {
        if (adapters.size() != attached.size()) {
            throw new IllegalArgumentException(adapters.size() + " adapters for " + attached.size() + " layers");
        }
        List<Attached> out = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            Attached a = attached.get(i);
            out.add(new Attached(a.component(), a.module(), a.linear(), adapters.get(i)));
        }
        return new LoraSet(out);
    }

    public List<Attached> attached() {
        return attached;
    }

    /** Every adapter tensor, down before up before a DoRA magnitude, in module order. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Attached a : attached) {
            String m = a.module();
            out.add(new Parameter(a.component(), a.fileKey() + ".lora.down.weight", m + ".lora.down.weight",
                    m + ".lora_A.default.weight", a.adapter().down()));
            out.add(new Parameter(a.component(), a.fileKey() + ".lora.up.weight", m + ".lora.up.weight",
                    m + ".lora_B.default.weight", a.adapter().up()));
            if (a.adapter().isDora()) {
                out.add(new Parameter(a.component(), a.fileKey() + ".lora_magnitude_vector", m + ".lora_magnitude_vector",
                        m + ".lora_magnitude_vector.default.weight", a.adapter().magnitude()));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Sets the user scale of every adapter (generation's LoRA strength). */
    public void setScale(double scale) {
        if (isFused()) throw new IllegalStateException("unfuse the LoRA before changing its scale");
        for (Attached a : attached) a.adapter().setUserScale(scale);
    }

    /**
     * Merges the adapters into their layers' weights ({@code W + scale·up·down}, for DoRA
     * {@code m · (W + scale·up·down) / ‖W + scale·up·down‖}, computed in fp32) and
     * detaches them: inference then costs nothing extra per step. The originals are kept for
     * {@link #unfuse()}. Not for training (the merged weight has no gradient path to the adapters).
     */
    public void fuse() {
        if (isFused()) return;
        setEnabled(false);
        for (Attached a : attached) {
            Linear linear = a.linear();
            NDArray weight = linear.weight();
            LoraAdapter adapter = a.adapter();
            NDArray merged32 = weight.toType(DataType.FLOAT32, false).add(adapter.delta32());
            if (adapter.isDora()) {
                merged32 = merged32.mul(adapter.magnitude().toType(DataType.FLOAT32, false).div(adapter.weightNorm(weight)).expandDims(1));
            }
            NDArray merged = Weights.persistent(merged32.toType(weight.getDataType(), false));
            unfused.put(linear, linear.replaceWeight(merged));
        }
    }

    /** Restores the original weights and re-attaches the adapters. */
    public void unfuse() {
        for (Map.Entry<Linear, NDArray> e : unfused.entrySet()) e.getKey().replaceWeight(e.getValue()).close();
        unfused.clear();
        setEnabled(true);
    }

    public boolean isFused() {
        return !unfused.isEmpty();
    }

    /**
     * Writes the adapters as diffusers' {@code pytorch_lora_weights.safetensors}: UNet keys
     * {@code unet.<module>.lora.down.weight}/{@code .lora.up.weight}, text-encoder keys
     * {@code text_encoder.<module>.lora_linear_layer.down.weight}/{@code .up.weight}, DoRA magnitudes
     * {@code <component>.<module>.lora_magnitude_vector}; the rank, alpha and {@code use_dora}
     * of each component go into diffusers' {@code lora_adapter_metadata}, beside {@code metadata}.
     */
    public void save(Path file, Map<String, String> metadata) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<NDArray> copies = new ArrayList<>();
        Map<String, LoraAdapter> firstOfComponent = new LinkedHashMap<>();
        Map<String, TreeSet<String>> targets = new LinkedHashMap<>();
        for (Attached a : attached) {
            boolean text = a.component().equals("text_encoder");
            String layer = text ? ".lora_linear_layer." : ".lora.";
            tensors.put(a.fileKey() + layer + "down.weight", fp32(a.adapter().down(), copies));
            tensors.put(a.fileKey() + layer + "up.weight", fp32(a.adapter().up(), copies));
            if (a.adapter().isDora()) tensors.put(a.fileKey() + ".lora_magnitude_vector", fp32(a.adapter().magnitude(), copies));
            firstOfComponent.putIfAbsent(a.component(), a.adapter());
            targets.computeIfAbsent(a.component(), c -> new TreeSet<>()).add(targetName(a.module()));
        }
        ObjectNode packed = JSON.createObjectNode();
        firstOfComponent.forEach((component, adapter) -> {
            packed.put(component + ".r", adapter.rank());
            packed.put(component + ".lora_alpha", adapter.alpha());
            // diffusers builds peft's LoraConfig from this metadata, so DoRA must say so to load its magnitudes.
            packed.put(component + ".use_dora", adapter.isDora());
            targets.get(component).forEach(packed.withArray(component + ".target_modules")::add);
        });
        Map<String, String> meta = new LinkedHashMap<>();
        if (metadata != null) meta.putAll(metadata);
        meta.put("format", "pt");
        meta.put(ADAPTER_METADATA_KEY, packed.toString());
        try {
            SafetensorsWriter.write(file, tensors, meta);
        } finally {
            copies.forEach(NDArray::close);
        }
    }

    /** The last name of a module path, keeping {@code to_out.0} whole: what peft calls a target module. */
    private static String targetName(String module) {
        if (module.endsWith("to_out.0")) return "to_out.0";
        return module.substring(module.lastIndexOf('.') + 1);
    }

    private static NDArray fp32(NDArray array, List<NDArray> copies) {
        if (array.getDataType() == DataType.FLOAT32) return array;
        NDArray copy = array.toType(DataType.FLOAT32, true);
        copies.add(copy);
        return copy;
    }

    /** Removes the adapters from their layers (the tensors stay valid; {@link #setEnabled} re-attaches). */
    public void detach() {
        for (Attached a : attached) a.linear().removeAdapter(a.adapter());
    }

    /**
     * Attaches ({@code true}) or detaches ({@code false}) every adapter: disabled, the model computes
     * exactly the base output at no extra cost (class images, previews of the base model).
     */
    public void setEnabled(boolean enabled) {
        for (Attached a : attached) {
            boolean present = a.linear().adapters().contains(a.adapter());
            if (enabled && !present) a.linear().addAdapter(a.adapter());
            if (!enabled && present) a.linear().removeAdapter(a.adapter());
        }
    }

    public boolean isEnabled() {
        return !attached.isEmpty() && attached.get(0).linear().adapters().contains(attached.get(0).adapter());
    }

    /** Detaches (or unfuses) the adapters and frees their tensors. */
    @Override
    public void close() {
        unfuse();
        detach();
        for (Attached a : attached) a.adapter().close();
    }
}

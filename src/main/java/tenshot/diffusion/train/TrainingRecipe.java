package tenshot.diffusion.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tenshot.diffusion.guidance.StyleGuidance;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.styleid.StyleInjection;

/**
 * Everything that decides what a training run learns, as a named, editable preset. Serialised to
 * JSON (camelCase field names) so the studio can store it, let a user edit it, and show what changed
 * between two runs. Every field is validated and an error names the field.
 *
 * @param name the preset it came from, or a user's name for it
 * @param adapter the adapter type: {@code lora}, or {@code dora} (LoRA with a trained magnitude per output row,
 *     weight-decomposed as in DoRA; UNet only)
 * @param rank UNet LoRA rank
 * @param alpha UNet LoRA alpha (the update is scaled by alpha / rank)
 * @param targetModules UNet attention projections that get adapters
 * @param textEncoderRank text-encoder LoRA rank, 0 for none
 * @param textEncoderAlpha text-encoder LoRA alpha
 * @param textEncoderLearningRate the text-encoder LoRA's own learning rate
 * @param steps optimizer steps
 * @param learningRate UNet LoRA learning rate (constant after warmup)
 * @param warmupSteps linear warmup steps, 0 for none
 * @param maxGradNorm global grad-norm clipping threshold
 * @param priorLossWeight weight of the class-image (prior preservation) loss, 0 for no prior
 * @param classImagesPerPrompt class images generated per class prompt
 * @param classImageSteps denoising steps for each class image
 * @param classImageGuidance classifier-free guidance scale for class images
 * @param instancePrompt template for instance prompts ({object}, {id})
 * @param classPrompt template for class prompts ({object}), no style token
 * @param resolution training resolution in pixels, 0 for the model's native size
 * @param flip random horizontal flips
 * @param rotationDegrees random rotation range in degrees, 0 for none
 * @param viewsPerImage augmented crops encoded per image (latents are computed once per run)
 * @param latentSampling {@code sample} (diffusers' DreamBooth: latent_dist.sample()) or {@code mean}
 * @param seed seed of noise, timesteps, data order, crops and LoRA initialisation
 * @param checkpointEvery steps between checkpoints, 0 for only the final one
 * @param previewEvery steps between preview images, 0 for none
 * @param previewSteps denoising steps of a preview
 * @param generation how images are generated with the trained LoRA
 */
public record TrainingRecipe(
        String name,
        String adapter,
        int rank,
        double alpha,
        List<String> targetModules,
        int textEncoderRank,
        double textEncoderAlpha,
        double textEncoderLearningRate,
        int steps,
        double learningRate,
        int warmupSteps,
        double maxGradNorm,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double weightDecay,
        double priorLossWeight,
        int classImagesPerPrompt,
        int classImageSteps,
        double classImageGuidance,
        String instancePrompt,
        String classPrompt,
        int resolution,
        boolean flip,
        double rotationDegrees,
        int viewsPerImage,
        String latentSampling,
        long seed,
        int checkpointEvery,
        int previewEvery,
        int previewSteps,
        Generation generation) {

    /**
     * How the studio generates with a trained LoRA.
     *
     * @param prompt template ({object}, {id})
     * @param start {@code noise} (txt2img) or {@code average-style-image} (img2img from the pixel mean of the style set)
     * @param strength img2img strength (ignored when starting from noise)
     * @param steps denoising steps
     * @param guidanceScale classifier-free guidance scale
     * @param scheduler scheduler name, e.g. {@code ddim}
     * @param styleInjection StyleID on top of each generated image (its final latent is the content), or null
     *     for none; in JSON {@code {}} takes StyleID's defaults and a partial object overrides some of them
     * @param styleGuidance style-descriptor guidance at the last sampling steps (DDIM only, not with StyleID), or
     *     null for none; in JSON {@code {}} takes its defaults and a partial object overrides some of them
     */
    public record Generation(String prompt, String start, double strength, int steps, double guidanceScale, String scheduler,
            StyleInjection styleInjection, StyleGuidance styleGuidance) {

        public static final Set<String> STARTS = Set.of("noise", "average-style-image");

        /** Generation without StyleID or style guidance. */
        public Generation(String prompt, String start, double strength, int steps, double guidanceScale, String scheduler) {
            this(prompt, start, strength, steps, guidanceScale, scheduler, null, null);
        }

        @JsonCreator
        public Generation {
            requireText("generation.prompt", prompt);
            checkTemplate("generation.prompt", prompt);
            if (start == null || !STARTS.contains(start)) {
                throw field("generation.start", "must be one of " + STARTS + ", was " + start);
            }
            if (!(strength > 0 && strength <= 1)) throw field("generation.strength", "must be in (0, 1], was " + strength);
            if (steps < 1) throw field("generation.steps", "must be >= 1, was " + steps);
            if (!(guidanceScale >= 1)) throw field("generation.guidanceScale", "must be >= 1, was " + guidanceScale);
            requireText("generation.scheduler", scheduler);
            if (styleGuidance != null && !isDdim(scheduler)) {
                throw field("generation.styleGuidance", "needs generation.scheduler ddim (it takes x̂0 from DDIM's step), was "
                        + scheduler);
            }
            if (styleGuidance != null && styleInjection != null) {
                throw field("generation.styleGuidance", "does not combine with generation.styleInjection (StyleID denoises with"
                        + " its own injected attention): set one of them to null");
            }
        }

        private static boolean isDdim(String scheduler) {
            try {
                return Scheduler.Kind.parse(scheduler) == Scheduler.Kind.DDIM;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    public static final List<String> UNET_ATTENTION_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");
    public static final Set<String> KNOWN_UNET_TARGETS = Set.of(
            "to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out", "ff.net.0.proj", "ff.net.2");
    public static final Set<String> LATENT_SAMPLINGS = Set.of("sample", "mean");
    public static final List<String> ADAPTERS = List.of("lora", "dora");

    public TrainingRecipe {
        requireText("name", name);
        if (adapter == null || !ADAPTERS.contains(adapter)) throw field("adapter", "must be one of " + ADAPTERS + ", was " + adapter);
        if (rank < 1) throw field("rank", "must be >= 1, was " + rank);
        if (!(alpha > 0)) throw field("alpha", "must be > 0, was " + alpha);
        if (targetModules == null || targetModules.isEmpty()) throw field("targetModules", "must name at least one module");
        for (String t : targetModules) {
            if (!KNOWN_UNET_TARGETS.contains(t)) throw field("targetModules", "unknown module '" + t + "': use " + KNOWN_UNET_TARGETS);
        }
        targetModules = List.copyOf(targetModules);
        if (textEncoderRank < 0) throw field("textEncoderRank", "must be >= 0, was " + textEncoderRank);
        if (textEncoderRank > 0 && "dora".equals(adapter)) {
            throw field("textEncoderRank", "must be 0 with the \"dora\" adapter (DoRA adapts the UNet only), was " + textEncoderRank);
        }
        if (textEncoderRank > 0 && !(textEncoderAlpha > 0)) throw field("textEncoderAlpha", "must be > 0, was " + textEncoderAlpha);
        if (!(textEncoderLearningRate >= 0)) throw field("textEncoderLearningRate", "must be >= 0, was " + textEncoderLearningRate);
        if (steps < 1) throw field("steps", "must be >= 1, was " + steps);
        if (!(learningRate > 0 && learningRate < 1)) throw field("learningRate", "must be in (0, 1), was " + learningRate);
        if (warmupSteps < 0 || warmupSteps > steps) throw field("warmupSteps", "must be in [0, steps], was " + warmupSteps);
        if (!(maxGradNorm > 0)) throw field("maxGradNorm", "must be > 0, was " + maxGradNorm);
        if (!(adamBeta1 >= 0 && adamBeta1 < 1)) throw field("adamBeta1", "must be in [0, 1), was " + adamBeta1);
        if (!(adamBeta2 >= 0 && adamBeta2 < 1)) throw field("adamBeta2", "must be in [0, 1), was " + adamBeta2);
        if (!(adamEpsilon > 0)) throw field("adamEpsilon", "must be > 0, was " + adamEpsilon);
        if (!(weightDecay >= 0)) throw field("weightDecay", "must be >= 0, was " + weightDecay);
        if (!(priorLossWeight >= 0)) throw field("priorLossWeight", "must be >= 0, was " + priorLossWeight);
        if (classImagesPerPrompt < 1) throw field("classImagesPerPrompt", "must be >= 1, was " + classImagesPerPrompt);
        if (classImageSteps < 1) throw field("classImageSteps", "must be >= 1, was " + classImageSteps);
        if (!(classImageGuidance >= 1)) throw field("classImageGuidance", "must be >= 1, was " + classImageGuidance);
        requireText("instancePrompt", instancePrompt);
        checkTemplate("instancePrompt", instancePrompt);
        requireText("classPrompt", classPrompt);
        checkTemplate("classPrompt", classPrompt);
        if (classPrompt.contains("{id}")) throw field("classPrompt", "must not contain the style token {id}");
        if (resolution != 0 && (resolution < 64 || resolution % 8 != 0)) {
            throw field("resolution", "must be 0 (the model's size) or a multiple of 8 >= 64, was " + resolution);
        }
        if (!(rotationDegrees >= 0 && rotationDegrees <= 180)) throw field("rotationDegrees", "must be in [0, 180], was " + rotationDegrees);
        if (viewsPerImage < 1) throw field("viewsPerImage", "must be >= 1, was " + viewsPerImage);
        if (latentSampling == null || !LATENT_SAMPLINGS.contains(latentSampling)) {
            throw field("latentSampling", "must be one of " + LATENT_SAMPLINGS + ", was " + latentSampling);
        }
        if (checkpointEvery < 0) throw field("checkpointEvery", "must be >= 0, was " + checkpointEvery);
        if (previewEvery < 0) throw field("previewEvery", "must be >= 0, was " + previewEvery);
        if (previewSteps < 1) throw field("previewSteps", "must be >= 1, was " + previewSteps);
        if (generation == null) throw field("generation", "is required");
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) throw field(field, "must not be empty");
    }

    private static void checkTemplate(String field, String template) {
        try {
            new PromptTemplate(template);
        } catch (IllegalArgumentException e) {
            throw field(field, e.getMessage());
        }
    }

    private static IllegalArgumentException field(String field, String problem) {
        return new IllegalArgumentException("recipe field '" + field + "' " + problem);
    }

    // ---- presets -------------------------------------------------------------------------------

    public static final List<String> PRESETS = List.of("baseline", "safe", "aggressive");

    /** rank 4, 500 steps, lr 1e-4, no prior, instance prompt {@code style_{id}}, 25 DDIM steps from noise. */
    public static TrainingRecipe baseline() {
        return builder("baseline").build();
    }

    /** rank 32, 800 steps, lr 1e-4, prior weight 1.0, no text-encoder LoRA, no augmentation; img2img from the average style image. */
    public static TrainingRecipe safe() {
        return builder("safe")
                .rank(32).alpha(32)
                .steps(800)
                .priorLossWeight(1.0).classImagesPerPrompt(2)
                .instancePrompt(PromptTemplate.DEFAULT_INSTANCE.template())
                .generation(fromAverageStyleImage())
                .build();
    }

    /** rank 64, text-encoder rank 8, 1200 steps, augmentation on (flip, ±10° rotation, 4 views per image), prior weight 0.9. */
    public static TrainingRecipe aggressive() {
        return builder("aggressive")
                .rank(64).alpha(64)
                .textEncoderRank(8)
                .steps(1200)
                .priorLossWeight(0.9).classImagesPerPrompt(2)
                .instancePrompt(PromptTemplate.DEFAULT_INSTANCE.template())
                .flip(true).rotationDegrees(10).viewsPerImage(4)
                .generation(fromAverageStyleImage())
                .build();
    }

    /** img2img at strength 0.9 from the average style image, 40 DDIM steps, the default instance prompt. */
    private static Generation fromAverageStyleImage() {
        return new Generation(PromptTemplate.DEFAULT_INSTANCE.template(), "average-style-image", 0.9, 40, 7.5, "ddim");
    }

    /** A recipe named {@code name} that starts from the baseline preset's values. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Defaults are the baseline preset's; {@link #build()} validates as the constructor does. */
    public static final class Builder {
        private final String name;
        private String adapter = "lora";
        private int rank = 4;
        private double alpha = 4;
        private List<String> targetModules = UNET_ATTENTION_TARGETS;
        private int textEncoderRank = 0;
        private double textEncoderAlpha = 8;
        private double textEncoderLearningRate = 1e-5;
        private int steps = 500;
        private double learningRate = 1e-4;
        private int warmupSteps = 0;
        private double maxGradNorm = 1.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double weightDecay = 1e-2;
        private double priorLossWeight = 0.0;
        private int classImagesPerPrompt = 1;
        private int classImageSteps = 30;
        private double classImageGuidance = 7.5;
        private String instancePrompt = "style_{id}";
        private String classPrompt = PromptTemplate.DEFAULT_CLASS.template();
        private int resolution = 0;
        private boolean flip = false;
        private double rotationDegrees = 0;
        private int viewsPerImage = 1;
        private String latentSampling = "sample";
        private long seed = 42;
        private int checkpointEvery = 100;
        private int previewEvery = 100;
        private int previewSteps = 10;
        private Generation generation = new Generation("{object} in style_{id}", "noise", 1.0, 25, 7.5, "ddim");

        private Builder(String name) {
            this.name = name;
        }

        public Builder adapter(String value) { adapter = value; return this; }
        public Builder rank(int value) { rank = value; return this; }
        public Builder alpha(double value) { alpha = value; return this; }
        public Builder targetModules(List<String> value) { targetModules = value; return this; }
        public Builder textEncoderRank(int value) { textEncoderRank = value; return this; }
        public Builder textEncoderAlpha(double value) { textEncoderAlpha = value; return this; }
        public Builder textEncoderLearningRate(double value) { textEncoderLearningRate = value; return this; }
        public Builder steps(int value) { steps = value; return this; }
        public Builder learningRate(double value) { learningRate = value; return this; }
        public Builder warmupSteps(int value) { warmupSteps = value; return this; }
        public Builder maxGradNorm(double value) { maxGradNorm = value; return this; }
        public Builder adamBeta1(double value) { adamBeta1 = value; return this; }
        public Builder adamBeta2(double value) { adamBeta2 = value; return this; }
        public Builder adamEpsilon(double value) { adamEpsilon = value; return this; }
        public Builder weightDecay(double value) { weightDecay = value; return this; }
        public Builder priorLossWeight(double value) { priorLossWeight = value; return this; }
        public Builder classImagesPerPrompt(int value) { classImagesPerPrompt = value; return this; }
        public Builder classImageSteps(int value) { classImageSteps = value; return this; }
        public Builder classImageGuidance(double value) { classImageGuidance = value; return this; }
        public Builder instancePrompt(String value) { instancePrompt = value; return this; }
        public Builder classPrompt(String value) { classPrompt = value; return this; }
        public Builder resolution(int value) { resolution = value; return this; }
        public Builder flip(boolean value) { flip = value; return this; }
        public Builder rotationDegrees(double value) { rotationDegrees = value; return this; }
        public Builder viewsPerImage(int value) { viewsPerImage = value; return this; }
        public Builder latentSampling(String value) { latentSampling = value; return this; }
        public Builder seed(long value) { seed = value; return this; }
        public Builder checkpointEvery(int value) { checkpointEvery = value; return this; }
        public Builder previewEvery(int value) { previewEvery = value; return this; }
        public Builder previewSteps(int value) { previewSteps = value; return this; }
        public Builder generation(Generation value) { generation = value; return this; }

        public TrainingRecipe build() {
            return new TrainingRecipe(name, adapter, rank, alpha, targetModules, textEncoderRank, textEncoderAlpha,
                    textEncoderLearningRate, steps, learningRate, warmupSteps, maxGradNorm, adamBeta1, adamBeta2,
                    adamEpsilon, weightDecay, priorLossWeight, classImagesPerPrompt, classImageSteps, classImageGuidance,
                    instancePrompt, classPrompt, resolution, flip, rotationDegrees, viewsPerImage, latentSampling, seed,
                    checkpointEvery, previewEvery, previewSteps, generation);
        }
    }

    public static TrainingRecipe preset(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "baseline" -> baseline();
            case "safe" -> safe();
            case "aggressive" -> aggressive();
            default -> throw new IllegalArgumentException("unknown recipe '" + name + "': use one of " + PRESETS);
        };
    }

    public boolean usesPrior() {
        return priorLossWeight > 0;
    }

    /** Whether the adapters are DoRA's (a magnitude vector beside each LoRA pair). */
    public boolean usesDora() {
        return "dora".equals(adapter);
    }

    public boolean trainsTextEncoder() {
        return textEncoderRank > 0;
    }

    public Augmentation augmentation(int trainingResolution) {
        return new Augmentation(trainingResolution, Augmentation.DEFAULT_RESIZE_FACTOR, flip, rotationDegrees);
    }

    public TrainingRecipe withSteps(int newSteps) {
        return with(Map.of("steps", newSteps));
    }

    /** This recipe with some fields replaced, e.g. {@code with(Map.of("steps", 10, "seed", 7))}; validated. */
    public TrainingRecipe with(Map<String, ?> changes) {
        return fromJsonTree(merge(toJsonTree(), MAPPER.valueToTree(changes)));
    }

    // ---- JSON ----------------------------------------------------------------------------------

    /** Recipes come from clients: a shallow object of short values, so tight parser limits cost nothing. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32).maxStringLength(65_536).maxNumberLength(100).maxNameLength(200).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "steps": 1.5 is an error, not 1 step
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public String toJson() {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("recipe is not serialisable", e);
        }
    }

    public ObjectNode toJsonTree() {
        return MAPPER.valueToTree(this);
    }

    /**
     * Reads a recipe. The JSON may be complete, or name a preset in {@code "base"} and override some of
     * its fields ({@code {"base": "safe", "steps": 400}}); without {@code base} every field is required.
     */
    public static TrainingRecipe fromJson(String json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("recipe is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) throw new IllegalArgumentException("recipe must be a JSON object");
        ObjectNode node = ((ObjectNode) tree).deepCopy();
        JsonNode base = node.remove("base");
        if (base != null) {
            if (!base.isTextual()) throw field("base", "must name a preset: " + PRESETS);
            ObjectNode merged = merge(preset(base.asText()).toJsonTree(), node);
            if (!node.has("name")) merged.put("name", base.asText());
            node = merged;
        }
        return fromJsonTree(node);
    }

    private static TrainingRecipe fromJsonTree(ObjectNode node) {
        if (node.get("generation") instanceof ObjectNode generation) {
            withDefaults(generation, "styleInjection", StyleInjection.defaults());
            withDefaults(generation, "styleGuidance", StyleGuidance.defaults());
        }
        try {
            return MAPPER.treeToValue(node, TrainingRecipe.class);
        } catch (UnrecognizedPropertyException e) {
            throw field(path(e), "is not a recipe field; known fields: " + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                Matcher settings = SETTINGS_FIELD.matcher(String.valueOf(iae.getMessage()));
                if (settings.lookingAt()) {
                    throw new IllegalArgumentException("recipe field 'generation." + settings.group(1) + "."
                            + iae.getMessage().substring(settings.end()), iae);
                }
                throw iae;
            }
            throw field(path(e), "is invalid: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("recipe JSON is invalid: " + e.getOriginalMessage());
        }
    }

    /** How the generation settings records ({@link StyleInjection}, {@link StyleGuidance}) start their errors. */
    private static final Pattern SETTINGS_FIELD = Pattern.compile("(styleInjection|styleGuidance) field '");

    /**
     * A generation settings object ({@code styleInjection}, {@code styleGuidance}) is optional (recipes stored
     * before it have none: off), and an object names only the settings that differ from its defaults.
     */
    private static void withDefaults(ObjectNode generation, String name, Object defaults) {
        JsonNode given = generation.get(name);
        if (given == null) generation.putNull(name);
        else if (given.isObject()) generation.set(name, merge(MAPPER.valueToTree(defaults), given));
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) out.append('.');
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "?" : out.toString();
    }

    private static ObjectNode merge(ObjectNode base, JsonNode changes) {
        for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode obj && e.getValue().isObject()) merge(obj, e.getValue());
            else base.set(e.getKey(), e.getValue());
        }
        return base;
    }

    /**
     * The fields that differ from {@code other}, as dotted paths to {@code [this value, other value]}
     * (e.g. {@code "steps" -> [800, 400]}, {@code "generation.steps" -> [40, 25]}).
     */
    public Map<String, List<Object>> changesTo(TrainingRecipe other) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        diff("", toJsonTree(), other.toJsonTree(), out);
        return out;
    }

    private static void diff(String prefix, JsonNode a, JsonNode b, Map<String, List<Object>> out) {
        if (a.isObject() && b.isObject()) {
            Set<String> names = new java.util.LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                JsonNode x = a.path(n);
                JsonNode y = b.path(n);
                diff(prefix.isEmpty() ? n : prefix + "." + n, x, y, out);
            }
        } else if (!a.equals(b)) {
            out.put(prefix, java.util.Arrays.asList(plain(a), plain(b)));
        }
    }

    private static Object plain(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        return MAPPER.convertValue(n, Object.class);
    }
}

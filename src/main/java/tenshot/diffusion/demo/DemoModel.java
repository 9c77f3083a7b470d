package tenshot.diffusion.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.text.ClipTextConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.unet.UNetConfig;
import tenshot.diffusion.vae.AutoencoderKL;
import tenshot.diffusion.vae.VaeConfig;
import tenshot.diffusion.weights.SafetensorsWriter;
import tenshot.diffusion.weights.Weights;

/**
 * A tiny diffusers-format Stable Diffusion model with the SD 2.1 architecture (v-prediction DDIM,
 * linear projections, upcast attention, OpenCLIP-style text encoder) and seeded random weights: what
 * the studio runs when no real model is configured. Its images are noise; every code path is real.
 *
 * <p>The tokenizer is generated: the 256 byte tokens of CLIP's byte-level BPE and their {@code </w>}
 * forms, {@code <|startoftext|>}, {@code <|endoftext|>}, no merges, pad {@code !} (id 0).
 */
public final class DemoModel {

    /** The generated vocabulary's size: 256 bytes, 256 end-of-word forms, two specials. */
    public static final int VOCAB_SIZE = 514;
    public static final long DEFAULT_SEED = 2024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoModel() {}

    /** Writes the demo model into {@code dir} unless a model is already there; returns {@code dir}. */
    public static Path ensure(Path dir) {
        if (Files.isRegularFile(dir.resolve("model_index.json"))) return dir;
        return write(dir, DEFAULT_SEED);
    }

    /**
     * Writes the model to {@code dir} (created if needed). The files are assembled in a sibling
     * temporary folder and moved into place, so a half-written model is never visible.
     */
    public static Path write(Path dir, long seed) {
        Path absolute = dir.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            deleteRecursively(temp);
            Files.createDirectories(temp);
            writeJson(temp.resolve("model_index.json"), modelIndex());
            writeJson(temp.resolve("scheduler/scheduler_config.json"), schedulerConfig());
            writeTokenizer(temp.resolve("tokenizer"));
            Map<String, Object> text = textEncoderConfig();
            Map<String, Object> unet = unetConfig();
            Map<String, Object> vae = vaeConfig();
            writeJson(temp.resolve("text_encoder/config.json"), text);
            writeJson(temp.resolve("unet/config.json"), unet);
            writeJson(temp.resolve("vae/config.json"), vae);
            try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
                EngineDevice cpu = EngineDevice.cpu();
                Map<String, NDArray> tensors = new LinkedHashMap<>();
                new ClipTextModel(Weights.random(cpu, manager, seed).recordingInto(tensors),
                        ClipTextConfig.read(temp.resolve("text_encoder/config.json")));
                SafetensorsWriter.write(temp.resolve("text_encoder/model.safetensors"), tensors, Map.of("format", "pt"));
                tensors.clear();
                new UNet2DConditionModel(Weights.random(cpu, manager, seed + 1).recordingInto(tensors),
                        UNetConfig.read(temp.resolve("unet/config.json")));
                SafetensorsWriter.write(temp.resolve("unet/diffusion_pytorch_model.safetensors"), tensors,
                        Map.of("format", "pt"));
                tensors.clear();
                new AutoencoderKL(Weights.random(cpu, manager, seed + 2).recordingInto(tensors),
                        VaeConfig.read(temp.resolve("vae/config.json")));
                SafetensorsWriter.write(temp.resolve("vae/diffusion_pytorch_model.safetensors"), tensors,
                        Map.of("format", "pt"));
            }
            if (Files.exists(absolute)) {
                try (var entries = Files.list(absolute)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalStateException("demo model: " + absolute + " exists and is not empty;"
                                + " choose an empty or new folder");
                    }
                }
                Files.delete(absolute);
            }
            if (absolute.getParent() != null) Files.createDirectories(absolute.getParent());
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            return absolute;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the demo model to " + absolute + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteRecursively(temp);
            } catch (IOException ignored) {
                // best effort: a stale temporary folder is harmless
            }
        }
    }

    private static Map<String, Object> modelIndex() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "StableDiffusionPipeline");
        m.put("_diffusers_version", "0.30.0");
        m.put("feature_extractor", new Object[] {null, null});
        m.put("requires_safety_checker", false);
        m.put("safety_checker", new Object[] {null, null});
        m.put("scheduler", List.of("diffusers", "DDIMScheduler"));
        m.put("text_encoder", List.of("transformers", "CLIPTextModel"));
        m.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
        m.put("unet", List.of("diffusers", "UNet2DConditionModel"));
        m.put("vae", List.of("diffusers", "AutoencoderKL"));
        return m;
    }

    private static Map<String, Object> schedulerConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "DDIMScheduler");
        m.put("beta_end", 0.012);
        m.put("beta_schedule", "scaled_linear");
        m.put("beta_start", 0.00085);
        m.put("clip_sample", false);
        m.put("num_train_timesteps", 1000);
        m.put("prediction_type", "v_prediction");
        m.put("set_alpha_to_one", false);
        m.put("skip_prk_steps", true);
        m.put("steps_offset", 1);
        m.put("timestep_spacing", "leading");
        m.put("rescale_betas_zero_snr", false);
        m.put("trained_betas", null);
        return m;
    }

    private static Map<String, Object> textEncoderConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("CLIPTextModel"));
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", VOCAB_SIZE - 2);
        m.put("eos_token_id", VOCAB_SIZE - 1);
        m.put("hidden_act", "gelu");
        m.put("hidden_size", 32);
        m.put("intermediate_size", 64);
        m.put("layer_norm_eps", 1e-5);
        m.put("max_position_embeddings", 77);
        m.put("model_type", "clip_text_model");
        m.put("num_attention_heads", 4);
        m.put("num_hidden_layers", 3);
        m.put("pad_token_id", 1);
        m.put("projection_dim", 32);
        m.put("torch_dtype", "float32");
        m.put("vocab_size", VOCAB_SIZE);
        return m;
    }

    private static Map<String, Object> unetConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "UNet2DConditionModel");
        m.put("act_fn", "silu");
        m.put("attention_head_dim", List.of(2, 4, 4, 4));
        m.put("block_out_channels", List.of(32, 64, 64, 64));
        m.put("center_input_sample", false);
        m.put("cross_attention_dim", 32);
        m.put("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        m.put("downsample_padding", 1);
        m.put("dual_cross_attention", false);
        m.put("flip_sin_to_cos", true);
        m.put("freq_shift", 0);
        m.put("in_channels", 4);
        m.put("layers_per_block", 2);
        m.put("mid_block_scale_factor", 1);
        m.put("norm_eps", 1e-5);
        m.put("norm_num_groups", 8);
        m.put("num_class_embeds", null);
        m.put("only_cross_attention", false);
        m.put("out_channels", 4);
        m.put("sample_size", 32);
        m.put("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        m.put("upcast_attention", true);
        m.put("use_linear_projection", true);
        return m;
    }

    private static Map<String, Object> vaeConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "AutoencoderKL");
        m.put("act_fn", "silu");
        m.put("block_out_channels", List.of(16, 32, 32, 32));
        m.put("down_block_types", List.of("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"));
        m.put("in_channels", 3);
        m.put("latent_channels", 4);
        m.put("layers_per_block", 2);
        m.put("norm_num_groups", 8);
        m.put("out_channels", 3);
        m.put("sample_size", 256);
        m.put("scaling_factor", 0.18215);
        m.put("up_block_types", List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"));
        return m;
    }

    private static void writeTokenizer(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> bytes = byteTokens();
        for (String b : bytes) vocab.put(b, vocab.size());
        for (String b : bytes) vocab.put(b + "</w>", vocab.size());
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        if (vocab.size() != VOCAB_SIZE) throw new IllegalStateException("demo vocabulary has " + vocab.size() + " tokens");
        JSON.writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n", StandardCharsets.UTF_8);
        Map<String, Object> specials = new LinkedHashMap<>();
        specials.put("bos_token", "<|startoftext|>");
        specials.put("eos_token", "<|endoftext|>");
        specials.put("pad_token", "!");
        specials.put("unk_token", "<|endoftext|>");
        JSON.writeValue(dir.resolve("special_tokens_map.json").toFile(), specials);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("model_max_length", 77);
        config.put("do_lower_case", true);
        config.putAll(specials);
        config.put("errors", "replace");
        config.put("add_prefix_space", false);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /** GPT-2/CLIP's reversible byte-to-character table, in CLIP's vocabulary order. */
    static List<String> byteTokens() {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) printable.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) printable.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) printable.add(b);
        List<Integer> order = new ArrayList<>(printable);
        List<Integer> chars = new ArrayList<>(printable);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable.contains(b)) {
                order.add(b);
                chars.add(256 + extra++);
            }
        }
        List<String> out = new ArrayList<>();
        for (int c : chars) out.add(new String(Character.toChars(c)));
        return out;
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), value);
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) return;
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

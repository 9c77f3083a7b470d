package tenshot.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.lora.LoraSet;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.text.ClipTextConfig;
import tenshot.diffusion.text.ClipTextModel;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.diffusion.unet.UNet2DConditionModel;
import tenshot.diffusion.unet.UNetConfig;
import tenshot.diffusion.vae.AutoencoderKL;
import tenshot.diffusion.vae.VaeConfig;

/** Builds a {@link StableDiffusion} from a diffusers-format folder, or with random weights from its configs. */
public final class StableDiffusionLoader {

    private StableDiffusionLoader() {}

    /**
     * Loads {@code model_index.json}, {@code tokenizer/}, {@code text_encoder/}, {@code unet/},
     * {@code vae/} and {@code scheduler/} of a diffusers Stable Diffusion folder onto {@code device}.
     */
    public static StableDiffusion load(Path dir, EngineDevice device) {
        requireLayout(dir, true);
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
            ClipTextModel text = ClipTextModel.load(dir.resolve("text_encoder"), device, manager);
            UNet2DConditionModel unet = UNet2DConditionModel.load(dir.resolve("unet"), device, manager);
            AutoencoderKL vae = AutoencoderKL.load(dir.resolve("vae"), device, manager);
            return assemble(device, manager, tokenizer, text, unet, vae, SchedulerConfig.load(dir.resolve("scheduler/scheduler_config.json")));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Seeded random weights for the configs of {@code configDir} (each component's {@code config.json}
     * and {@code scheduler/scheduler_config.json}), for benchmarks and memory tests. The tokenizer comes
     * from {@code tokenizerDir} when the config folder has none.
     */
    public static StableDiffusion random(Path configDir, Path tokenizerDir, EngineDevice device, long seed) {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            Parts parts = randomParts(configDir, tokenizerDir, device, manager, seed);
            return assemble(device, manager, parts.tokenizer(), parts.textEncoder(), parts.unet(), parts.vae(), parts.scheduler());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model's parts, before they are put together for inference or for training. */
    public record Parts(ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                        SchedulerConfig scheduler) {}

    /**
     * The parts of {@link #random}, in {@code manager}: the text encoder drawn from {@code seed}, the
     * UNet from {@code seed + 1}, the VAE from {@code seed + 2}, so one seed gives the same weights to
     * inference and training benchmarks.
     */
    public static Parts randomParts(Path configDir, Path tokenizerDir, EngineDevice device, NDManager manager, long seed) {
        requireLayout(configDir, false);
        Path tokenizerFolder = Files.isDirectory(configDir.resolve("tokenizer")) ? configDir.resolve("tokenizer") : tokenizerDir;
        return new Parts(ClipTokenizer.load(tokenizerFolder),
                ClipTextModel.random(ClipTextConfig.read(configDir.resolve("text_encoder/config.json")), device, manager, seed),
                UNet2DConditionModel.random(UNetConfig.read(configDir.resolve("unet/config.json")), device, manager, seed + 1),
                AutoencoderKL.random(VaeConfig.read(configDir.resolve("vae/config.json")), device, manager, seed + 2),
                SchedulerConfig.load(configDir.resolve("scheduler/scheduler_config.json")));
    }

    /**
     * Attaches a diffusers/peft LoRA file (e.g. {@code pytorch_lora_weights.safetensors}) to the model's
     * UNet and text encoder linears at {@code scale}; close the returned set to detach it again.
     */
    public static LoraSet applyLora(StableDiffusion model, Path file, double scale) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("LoRA file " + file + " does not exist");
        return LoraSet.load(file, model.linears(), scale, model.manager(), model.device().dtype());
    }

    private static StableDiffusion assemble(EngineDevice device, NDManager manager, ClipTokenizer tokenizer, ClipTextModel text,
            UNet2DConditionModel unet, AutoencoderKL vae, SchedulerConfig config) {
        Map<String, Map<String, tenshot.diffusion.nn.Linear>> linears = new LinkedHashMap<>();
        linears.put("unet", unet.linears());
        linears.put("text_encoder", text.linears());
        LatentCodec codec = LatentCodec.of(vae);
        return new StableDiffusion(device, manager, tokenizer, text::forward, unet, codec, new NoiseSchedule(config),
                StableDiffusion.kindOf(config.className()), unet.config().inChannels(), unet.config().sampleSize() * 8,
                Map.copyOf(linears));
    }

    private static void requireLayout(Path dir, boolean weights) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("model folder " + dir + " does not exist");
        if (weights && !Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new IllegalArgumentException("model folder " + dir + " has no model_index.json (not a diffusers folder)");
        }
        String[] needed = {"text_encoder/config.json", "unet/config.json", "vae/config.json", "scheduler/scheduler_config.json"};
        for (String file : needed) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IllegalArgumentException("model folder " + dir + " has no " + file);
            }
        }
        if (weights && !Files.isDirectory(dir.resolve("tokenizer"))) {
            throw new IllegalArgumentException("model folder " + dir + " has no tokenizer/ folder");
        }
    }
}

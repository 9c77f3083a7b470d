package tenshot.scoring.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.guidance.StyleDescriptor;
import tenshot.diffusion.nn.Casts;
import tenshot.diffusion.weights.Weights;
import tenshot.scoring.image.Crops;

/**
 * CLIP's image tower (vision transformer and {@code visual_projection}): the unnormalised image
 * features of preprocessed pixels, as CLIP-R scores with, and, as a {@link StyleDescriptor}, the
 * L2-normalised embedding of images with CLIP's preprocessing done on the device so that it keeps
 * gradients: bicubic resize of the short side to 224, centre crop, mean/std.
 *
 * <p>The device resize is torch's antialiased bicubic (DJL's interpolate always antialiases), Pillow's
 * filter on floats: it differs from the scoring path's Pillow resize of 8-bit pixels by that rounding.
 * An image already at the crop size takes no resize and embeds as the scoring path does.
 */
public final class ClipImageTower implements StyleDescriptor, AutoCloseable {

    static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] STD = {0.26862954, 0.26130258, 0.27577711};
    private static final int BICUBIC = 3;

    private final NDManager manager;
    private final boolean ownsManager;
    private final EngineDevice device;
    private final ClipVision vision;
    private final NDArray projection;
    private final int shortestEdge;
    private final int crop;
    private final NDArray mean;
    private final NDArray std;

    ClipImageTower(Weights w, JsonNode config, JsonNode processor, boolean ownsManager) {
        this.manager = w.manager();
        this.ownsManager = ownsManager;
        this.device = w.device();
        ClipVision.Config visionConfig = ClipVision.Config.of(config.get("vision_config"));
        this.vision = new ClipVision(w.sub("vision_model"), visionConfig);
        this.projection = w.get("visual_projection.weight", new Shape(config.path("projection_dim").asInt(768), visionConfig.hidden()));
        this.shortestEdge = processor.path("size").path("shortest_edge").asInt(224);
        this.crop = processor.path("crop_size").path("height").asInt(224);
        this.mean = channels(MEAN);
        this.std = channels(STD);
    }

    /** The image tower of a Hugging Face CLIP folder (config.json, preprocessor_config.json, model.safetensors). */
    public static ClipImageTower load(Path dir, EngineDevice device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            ObjectMapper json = new ObjectMapper();
            return new ClipImageTower(Weights.componentFolder(device, manager, dir), json.readTree(dir.resolve("config.json").toFile()),
                    json.readTree(dir.resolve("preprocessor_config.json").toFile()), true);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A tower of seeded random weights shaped by a transformers CLIP {@code config.json} tree (timing only),
     * with CLIP's preprocessing sizes (224).
     */
    public static ClipImageTower random(JsonNode config, EngineDevice device, long seed) {
        NDManager manager = NDManager.newBaseManager(device.device());
        try {
            return new ClipImageTower(Weights.random(device, manager, seed), config, new ObjectMapper().createObjectNode(), true);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private NDArray channels(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return Weights.persistent(manager.create(f, new Shape(1, 3, 1, 1)).toDevice(device.device(), false));
    }

    /** The short side images are resized to before the centre crop. */
    public int shortestEdge() {
        return shortestEdge;
    }

    public int cropSize() {
        return crop;
    }

    /** {@code image_embeds} before normalisation, {@code [B, projection]}, of preprocessed pixels {@code [B, 3, crop, crop]}. */
    public NDArray features(NDArray pixels) {
        return JniUtils.linear((PtNDArray) vision.forward(pixels), (PtNDArray) projection, null);
    }

    @Override
    public NDArray describe(NDArray images) {
        Shape shape = images.getShape();
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        int[] size = Crops.shortestEdge(width, height, shortestEdge);
        NDArray x = images;
        if (size[0] != width || size[1] != height) {
            x = JniUtils.interpolate((PtNDArray) x, new long[] {size[1], size[0]}, BICUBIC, false).clip(0f, 1f);
        }
        if (size[0] < crop || size[1] < crop) {
            throw new IllegalArgumentException("an image resized to " + size[0] + "x" + size[1] + " is smaller than CLIP's "
                    + crop + " px crop");
        }
        int top = (size[1] - crop) / 2;
        int left = (size[0] - crop) / 2;
        x = x.get(":, :, " + top + ":" + (top + crop) + ", " + left + ":" + (left + crop));
        NDArray pixels = Casts.to(x.sub(mean).div(std), device.dtype());
        NDArray e = Casts.to(features(pixels), DataType.FLOAT32);
        return e.div(e.square().sum(new int[] {1}, true).sqrt());
    }

    @Override
    public void close() {
        if (ownsManager) manager.close();
    }
}

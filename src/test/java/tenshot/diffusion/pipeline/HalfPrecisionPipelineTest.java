package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.weights.SafetensorsFile;
import tenshot.testing.Fixtures;

/**
 * The GPU configuration's dtype path (fp16 weights and UNet/VAE inputs, fp32 latents and scheduler)
 * run on the CPU: the tiny txt2img stays close to diffusers' fp32 image.
 */
class HalfPrecisionPipelineTest {

    @Test
    void fp16WeightsWithFp32LatentsStayCloseToTheFp32Reference() {
        SafetensorsFile golden = SafetensorsFile.open(Fixtures.golden("txt2img.safetensors"));
        EngineDevice half = new EngineDevice(Device.cpu(), DataType.FLOAT16);
        try (StableDiffusion model = StableDiffusionLoader.load(Fixtures.tinySd21(), half);
                NDManager run = model.manager().newSubManager();
                Scheduler scheduler = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 4, run)) {
            DiffusionPipeline pipeline = new DiffusionPipeline(model);
            NDArray context = pipeline.encodePrompts(List.of("an image of Bear in style_00"), "", true, run);
            assertEquals(DataType.FLOAT16, context.getDataType());
            NDArray out = pipeline.denoise(scheduler, 0, golden.load("latents_init", run), context, 7.5, StepListener.NONE,
                    (i, latents) -> assertEquals(DataType.FLOAT32, latents.getDataType(), "latents stay fp32"));
            NDArray image = pipeline.decode(out);
            assertEquals(DataType.FLOAT32, image.getDataType());
            float[] expected = golden.load("image", run).toFloatArray();
            float[] actual = image.toFloatArray();
            double max = 0;
            for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
            System.out.printf("fp16 pipeline image max abs error vs fp32 diffusers: %.2e%n", max);
            assertTrue(max < 1.5e-2, "fp16 image max abs error " + max);
        }
    }
}

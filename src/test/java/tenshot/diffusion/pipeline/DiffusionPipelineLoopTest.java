package tenshot.diffusion.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.schedulers.NoiseSchedule;
import tenshot.diffusion.schedulers.PredictionType;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.diffusion.schedulers.SchedulerConfig;
import tenshot.diffusion.tokenizer.ClipTokenizer;
import tenshot.testing.Fixtures;

/**
 * The sampling loop's plumbing with analytic stand-ins for the networks (the real networks are
 * checked in StableDiffusionParityTest): the loop must reproduce diffusers' scheduler steps for the
 * fake model of the scheduler golden, apply CFG as {@code u + g (c - u)}, seed per image, and release
 * every array even when cancelled.
 */
class DiffusionPipelineLoopTest {

    private NDManager manager;
    private StableDiffusion model;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.tinySd21().resolve("tokenizer"));
        SchedulerConfig config = SchedulerConfig.load(Fixtures.tinySd21().resolve("scheduler/scheduler_config.json"));
        // context row = mean token id / 1e5, so prompts differ; prediction = 0.1 * x + t / 1000 + context
        PromptEncoder encoder = ids -> ids.toType(DataType.FLOAT32, false).mean(new int[] {1}, true).div(1e5f).expandDims(2);
        NoisePredictor unet = (x, t, context) -> x.mul(0.1f).add(t.div(1000f))
                .add(context.reshape(x.getShape().get(0), 1, 1, 1));
        LatentCodec vae = new LatentCodec() {
            @Override
            public NDArray encodeMean(NDArray images) {
                return images.get(":, :, ::8, ::8").concat(images.get(":, 0:1, ::8, ::8"), 1);
            }

            @Override
            public NDArray decode(NDArray latents) {
                return latents.get(":, 0:3").repeat(2, 8).repeat(3, 8);
            }

            @Override
            public double scalingFactor() {
                return 0.18215;
            }
        };
        model = new StableDiffusion(EngineDevice.cpu(), manager, tokenizer, encoder, unet, vae, new NoiseSchedule(config),
                Scheduler.Kind.DDIM, 4, 64, java.util.Map.of());
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void unguidedLoopReproducesDiffusersSchedulerSteps() throws Exception {
        byte[] raw = Files.readAllBytes(Fixtures.golden("schedulers.safetensors"));
        GoldenFloats golden = new GoldenFloats(raw);
        for (Scheduler.Kind kind : List.of(Scheduler.Kind.DDIM, Scheduler.Kind.EULER, Scheduler.Kind.PNDM)) {
            NoiseSchedule schedule = model.schedule();
            PredictionType type = schedule.predictionType();
            String prefix = kind.id() + "." + type.configName();
            // the golden fake model has no context term: feed a zero context
            StableDiffusion plain = new StableDiffusion(model.device(), manager, model.tokenizer(), model.textEncoder(),
                    (x, t, c) -> x.mul(0.1f).add(t.div(1000f)), model.vae(), schedule, kind, 4, 64, java.util.Map.of());
            DiffusionPipeline pipeline = new DiffusionPipeline(plain);
            try (NDManager run = manager.newSubManager(); Scheduler scheduler = Scheduler.create(kind, schedule, 10, run)) {
                NDArray x = run.create(golden.get("x_init"), new Shape(1, 4, 8, 8)).mul((float) scheduler.initNoiseSigma());
                NDArray context = run.zeros(new Shape(1, 77, 1));
                List<float[]> steps = new ArrayList<>();
                pipeline.denoise(scheduler, 0, x, context, 1.0, StepListener.NONE, (i, latents) -> steps.add(latents.toFloatArray()));
                float[] expected = golden.get(prefix + ".steps");
                int stepSize = 4 * 8 * 8;
                assertEquals(expected.length / stepSize, steps.size());
                for (int i = 0; i < steps.size(); i++) {
                    for (int j = 0; j < stepSize; j++) {
                        assertEquals(expected[i * stepSize + j], steps.get(i)[j], 1e-4, prefix + " step " + i);
                    }
                }
            }
        }
    }

    @Test
    void guidanceMixesUnconditionalAndConditionalPredictions() {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        try (NDManager run = manager.newSubManager(); Scheduler scheduler = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 1, run)) {
            NDArray context = pipeline.encodePrompts(List.of("a red fox"), "", true, run);
            assertEquals(new Shape(2, 1, 1), context.getShape());
            float u = context.getFloat(0, 0, 0);
            float c = context.getFloat(1, 0, 0);
            NDArray x = run.zeros(new Shape(1, 4, 8, 8));
            NDArray out = pipeline.denoise(scheduler, 0, x, context, 7.5, StepListener.NONE, DiffusionPipeline.StepObserver.NONE);
            double t = scheduler.timestep(0);
            double prediction = t / 1000 + u + 7.5 * (c - u);
            double[] coefficients = ddimCoefficients(model.schedule(), (int) t, -1);
            assertEquals(coefficients[1] * prediction, out.getFloat(0, 0, 0, 0), 1e-5);
        }
    }

    private static double[] ddimCoefficients(NoiseSchedule schedule, int t, int prev) {
        double a = schedule.alphaCumprod(t);
        double ap = prev >= 0 ? schedule.alphaCumprod(prev) : schedule.alphaCumprod(0);
        double sa = Math.sqrt(a), sb = Math.sqrt(1 - a), sap = Math.sqrt(ap), sbp = Math.sqrt(1 - ap);
        return new double[] {sap * sa + sbp * sb, sbp * sa - sap * sb};
    }

    @Test
    void seedsAreFixedPerImageWhateverTheBatch() {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        GenerationRequest both = GenerationRequest.builder(List.of("a red fox", "a blue whale"))
                .seeds(new long[] {11, 12}).size(64, 64).steps(3).build();
        GenerationRequest second = GenerationRequest.builder(List.of("a blue whale"))
                .seeds(new long[] {12}).size(64, 64).steps(3).build();
        List<BufferedImage> batch = pipeline.generate(both, StepListener.NONE);
        List<BufferedImage> alone = pipeline.generate(second, StepListener.NONE);
        assertEquals(2, batch.size());
        assertEquals(64, batch.get(0).getWidth());
        assertArrayEquals(pixels(batch.get(1)), pixels(alone.get(0)));
        assertFalse(java.util.Arrays.equals(pixels(batch.get(0)), pixels(batch.get(1))));
    }

    @Test
    void img2imgStartsAtTheStrengthsTimestep() {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        BufferedImage init = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        List<Integer> reported = new ArrayList<>();
        GenerationRequest request = GenerationRequest.builder(List.of("a red fox")).size(64, 64).steps(10)
                .initImage(init, 0.5).build();
        pipeline.generate(request, report -> reported.add(report.total()));
        assertEquals(5, reported.size());
        assertEquals(5, reported.get(0));
    }

    @Test
    void cancellationReleasesEveryArray() {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        GenerationRequest request = GenerationRequest.builder(List.of("a red fox")).size(64, 64).steps(6).build();
        pipeline.generate(request, StepListener.NONE);
        int before = manager.getManagedArrays().size();
        StepListener cancelAtThree = report -> {
            if (report.step() == 3) throw new StepListener.Cancelled("stop");
        };
        assertThrows(StepListener.Cancelled.class, () -> pipeline.generate(request, cancelAtThree));
        assertEquals(before, manager.getManagedArrays().size());
    }

    @Test
    void gradModeOfTheCallerIsRestored() {
        DiffusionPipeline pipeline = new DiffusionPipeline(model);
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        try {
            ai.djl.pytorch.jni.JniUtils.setGradMode(true);
            pipeline.generate(GenerationRequest.builder(List.of("a red fox")).size(64, 64).steps(2).build(), StepListener.NONE);
            assertTrue(ai.djl.pytorch.jni.JniUtils.isGradMode(), "grad mode left off after generate");
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(before);
        }
    }

    @Test
    void averageImageIsThePixelMean() {
        BufferedImage black = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        BufferedImage white = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) white.setRGB(x, y, 0xFFFFFF);
        BufferedImage mean = Images.average(List.of(black, white), 8, 8);
        assertEquals(8, mean.getWidth());
        assertEquals(0x808080, mean.getRGB(3, 3) & 0xFFFFFF);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray images = m.create(new float[] {0f, 0.5f, 1f, 0.2f, 0.7f, 1f}, new Shape(1, 3, 1, 2));
            BufferedImage image = Images.fromTensor(images).get(0);
            assertEquals(0x00FF00, image.getRGB(0, 0) & 0xFFFF00);
            // numpy rounds half to even: 0.5 * 255 = 127.5 -> 128
            assertEquals((128 << 16) | (51 << 8) | 255, image.getRGB(1, 0) & 0xFFFFFF);
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** fp32 tensors of a safetensors file by name. */
    static final class GoldenFloats {
        private final ByteBuffer data;
        private final com.fasterxml.jackson.databind.JsonNode header;

        GoldenFloats(byte[] raw) throws java.io.IOException {
            ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact(buffer.getLong(0));
            header = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(raw, 8, n, java.nio.charset.StandardCharsets.UTF_8));
            data = ByteBuffer.wrap(raw, 8 + n, raw.length - 8 - n).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] get(String key) {
            var offsets = header.get(key).get("data_offsets");
            int begin = offsets.get(0).asInt();
            float[] out = new float[(offsets.get(1).asInt() - begin) / 4];
            ByteBuffer slice = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            slice.position(begin);
            slice.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }
}

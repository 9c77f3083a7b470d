package tenshot.diffusion.guidance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tenshot.diffusion.EngineDevice;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.pipeline.DiffusionPipeline;
import tenshot.diffusion.pipeline.StableDiffusion;
import tenshot.diffusion.pipeline.StableDiffusionLoader;
import tenshot.diffusion.schedulers.PredictsOriginal;
import tenshot.diffusion.schedulers.Scheduler;
import tenshot.scoring.models.ClipImageTower;
import tenshot.testing.Fixtures;

/**
 * Style-descriptor guidance on the tiny SD 2.1 (v-prediction) with the fixture CLIP image tower as Ψ:
 * the gradient against finite differences, a guided step against the loss, and the sampling loop.
 */
class StyleGuideTest {

    private static StableDiffusion model;
    private static ClipImageTower clip;
    private static List<BufferedImage> styleImages;

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionLoader.load(Fixtures.tinySd21(), EngineDevice.cpu());
        clip = ClipImageTower.load(Fixtures.metrics("clip-vit-l14"), EngineDevice.cpu());
        styleImages = new ArrayList<>();
        for (String name : List.of("boat.png", "cow.png")) {
            styleImages.add(ImageIO.read(Fixtures.dataset("jittor-a/00/images/" + name).toFile()));
        }
    }

    @AfterAll
    static void close() {
        if (clip != null) clip.close();
        if (model != null) model.close();
    }

    @Test
    void targetIsTheMeanDescriptorOfTheStyleImages() {
        try (StyleGuide guide = StyleGuide.toward(model, clip, StyleGuidance.defaults(), styleImages);
                StyleGuide first = StyleGuide.toward(model, clip, StyleGuidance.defaults(), styleImages.subList(0, 1));
                StyleGuide second = StyleGuide.toward(model, clip, StyleGuidance.defaults(), styleImages.subList(1, 2))) {
            float[] a = first.target().toFloatArray();
            float[] b = second.target().toFloatArray();
            float[] mean = guide.target().toFloatArray();
            assertEquals(a.length, mean.length);
            for (int i = 0; i < mean.length; i++) assertEquals((a[i] + b[i]) / 2, mean[i], 1e-6, "dim " + i);
            assertFalse(Arrays.equals(a, b), "two style images give two descriptors");
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        try (NDManager m = model.manager().newSubManager();
                Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 10, m);
                StyleGuide guide = StyleGuide.toward(model, clip, StyleGuidance.defaults(), styleImages)) {
            PredictsOriginal original = (PredictsOriginal) ddim;
            m.getEngine().setRandomSeed(11);
            NDArray sample = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray output = m.randomNormal(new Shape(1, 4, 8, 8));
            int index = 8;
            NDArray gradient = guide.gradient(original, index, sample, output);
            assertEquals(sample.getShape(), gradient.getShape());
            NDArray random = m.randomNormal(new Shape(1, 4, 8, 8));
            for (NDArray direction : List.of(gradient, random)) {
                NDArray d = direction.div(direction.norm());
                double analytic = gradient.mul(d).sum().getFloat();
                double h = 1e-2;
                double plus = guide.loss(original, index, sample.add(d.mul(h)), output).getFloat(0);
                double minus = guide.loss(original, index, sample.sub(d.mul(h)), output).getFloat(0);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(analytic, numeric, 0.01 * Math.abs(analytic), "directional derivative, analytic " + analytic
                        + " numeric " + numeric);
            }
        }
    }

    @Test
    void aGuidedStepLowersEveryImagesLoss() {
        try (NDManager m = model.manager().newSubManager();
                Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 10, m);
                StyleGuide guide = StyleGuide.toward(model, clip, new StyleGuidance(2, 0.02), styleImages)) {
            PredictsOriginal original = (PredictsOriginal) ddim;
            m.getEngine().setRandomSeed(5);
            NDArray sample = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray output = m.randomNormal(new Shape(2, 4, 8, 8));
            int index = 9;
            float[] before = guide.loss(original, index, sample, output).toFloatArray();
            NDArray stepped = guide.step(ddim, index, sample, output);
            float[] after = guide.loss(original, index, stepped, output).toFloatArray();
            for (int b = 0; b < 2; b++) assertTrue(after[b] < before[b], "image " + b + ": " + before[b] + " -> " + after[b]);
            // the step's length is stepSize, root mean square over each image's latent
            NDArray change = stepped.sub(sample);
            for (int b = 0; b < 2; b++) {
                NDArray row = change.get(b + ":" + (b + 1));
                assertEquals(0.02, Math.sqrt(row.square().sum().getFloat() / row.size()), 1e-5, "image " + b);
            }
            assertTrue(guide.step(ddim, 7, sample, output) == sample, "step 7 of 10 is not among the last 2");
        }
    }

    @Test
    void unguidedStepsAreBitIdenticalToPlainSamplingAndGuidedOnesMove() {
        boolean gradMode = JniUtils.isGradMode();
        List<float[]> plain = sample(null);
        try (StyleGuide guide = StyleGuide.toward(model, clip, new StyleGuidance(2, 0.05), styleImages)) {
            List<float[]> guided = sample(guide);
            assertEquals(4, guided.size());
            for (int i = 0; i < 2; i++) assertArrayEquals(plain.get(i), guided.get(i), "step " + i + " is not guided");
            for (int i = 2; i < 4; i++) assertFalse(Arrays.equals(plain.get(i), guided.get(i)), "step " + i + " is guided");
        }
        assertEquals(gradMode, JniUtils.isGradMode(), "the caller's grad mode is back");
    }

    @Test
    void guidedSamplingLeavesNoArrayBehind() {
        NDManager probe = NDManager.newBaseManager();
        NDManager system = probe.getParentManager();
        probe.close();
        try (StyleGuide guide = StyleGuide.toward(model, clip, new StyleGuidance(4, 0.05), styleImages)) {
            sample(guide); // warm-up
            int before = system.getManagedArrays().size();
            sample(guide);
            sample(guide);
            assertEquals(before, system.getManagedArrays().size(), "live arrays after two guided runs of 4 guided steps");
        }
    }

    @Test
    void aSamplerWithoutX0IsRefusedBeforeAnyStep() {
        try (NDManager m = model.manager().newSubManager();
                Scheduler euler = Scheduler.create(Scheduler.Kind.EULER, model.schedule(), 4, m);
                StyleGuide guide = StyleGuide.toward(model, clip, StyleGuidance.defaults(), styleImages)) {
            DiffusionPipeline pipeline = new DiffusionPipeline(model, guide);
            NDArray context = pipeline.encodePrompts(List.of("a cat"), "", true, m);
            List<Integer> steps = new ArrayList<>();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.denoise(euler, 0,
                    m.randomNormal(new Shape(1, 4, 8, 8)), context, 7.5, StepListener.NONE, (i, x) -> steps.add(i)));
            assertTrue(e.getMessage().contains("ddim"), e.getMessage());
            assertEquals(List.of(), steps);
        }
    }

    /** Every step's latents of a 4-step DDIM run with CFG from fixed noise. */
    private static List<float[]> sample(StyleGuide guide) {
        try (NDManager m = model.manager().newSubManager();
                Scheduler ddim = Scheduler.create(Scheduler.Kind.DDIM, model.schedule(), 4, m)) {
            DiffusionPipeline pipeline = new DiffusionPipeline(model, guide);
            NDArray context = pipeline.encodePrompts(List.of("a cat"), "", true, m);
            m.getEngine().setRandomSeed(2);
            NDArray latents = m.randomNormal(new Shape(1, 4, 8, 8));
            List<float[]> steps = new ArrayList<>();
            pipeline.denoise(ddim, 0, latents, context, 7.5, StepListener.NONE, (i, x) -> {
                assertFalse(JniUtils.isGradMode(), "sampling runs without grad");
                steps.add(x.toFloatArray());
            });
            return steps;
        }
    }
}
